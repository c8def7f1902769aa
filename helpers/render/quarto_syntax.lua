--[[ The Quarto syntax of a book, for pandoc alone (helpers/render/pandoc_book.py).

Input: the chapters of a Quarto book as one document, each after an empty `.quarto-chapter`
div (and a `.quarto-part` div holding the part title when it opens a part); code cells as
`.cell` divs holding the code (with its `#|` options) and `.cell-output` divs.
What it does, as Quarto's book does:
  - numbers chapters (level-1 headings, unless `.unnumbered`) and their level-2 sections;
  - cells labelled `fig-*` with `fig-cap` become figures "Figure Sk: ...", `tbl-*` with
    `tbl-cap` become tables "Table Sk: ..." (k counts through the book, as a journal numbers a
    supplement's outputs: the same IDs in HTML, PDF and Word); HTML tables in outputs become
    pandoc tables (so the PDF and Word get real tables); a figure's image gets its caption as
    alt text; a figure or table and the note under it stay together (`.captioned` div; in the
    PDF an unbreakable block unless the table is longer than `LONG_TABLE_ROWS`); in Word the
    figure is the PNG saved beside the SVG;
  - `@fig-x`, `@tbl-x`, `@sec-x` become links "Figure 3.1", "Table 3.1", "Chapter 3" or
    "Section 3.2"; an unknown label is shown as "?@label" and reported on stderr ("unresolved");
  - a paragraph `{{< embed notebooks/NAME.ipynb#label >}}` becomes that cell's outputs;
  - `.callout-*` divs become titled boxes;
  - a `.book-generation` div (the run generation rendered) goes to the title block;
  - code is folded under "Code" in HTML and left out of the PDF.
]]

local CROSSREF_KINDS = { fig = "Figure", tbl = "Table" }
local html_output = FORMAT:match("html") ~= nil
local typst_output = FORMAT:match("typst") ~= nil
local docx_output = FORMAT:match("docx") ~= nil
--- A table with more body rows than this may break across PDF pages (its header repeats);
--- shorter ones are kept whole with their caption and note.
local LONG_TABLE_ROWS = 28
--- A table with more columns than this is printed on a landscape page of its own in the PDF
--- (its cells would otherwise be squeezed until words overprint the next column).
local WIDE_TABLE_COLUMNS = 10

local refs = {}     -- label -> text of a reference to it ("Figure 3.1", "Chapter 3")
local pages = {}    -- label -> identifier of its chapter's heading: the HTML page is <id>.html
                    -- (pandoc_book.py's --chunk-template=%i.html; chunkedhtml does not
                    -- redirect links to figures on other pages itself)
local outputs = {}  -- cell label -> its output blocks, for embeds

--- `#|` options at the top of a cell's code (YAML) and the code without them.
local function cell_options(code)
  local yaml, rest, in_options = {}, {}, true
  for line in (code .. "\n"):gmatch("(.-)\n") do
    local option = in_options and line:match("^#|%s?(.*)$")
    if option then
      table.insert(yaml, option)
    else
      in_options = false
      table.insert(rest, line)
    end
  end
  if #yaml == 0 then return {}, code end
  local meta = pandoc.read("---\n" .. table.concat(yaml, "\n") .. "\n---\n", "markdown").meta
  return meta, table.concat(rest, "\n"):gsub("%s+$", "")
end

local function label_of(options)
  return options.label and pandoc.utils.stringify(options.label) or nil
end

local function kind_of(label)
  return label and CROSSREF_KINDS[label:match("^(%a+)-")] and label:match("^(%a+)-") or nil
end

local function has_class(el, class)
  return el.classes and el.classes:includes(class)
end

-- Pass 1: numbers, in document order (top-level blocks: chapters, headings, cells). -----------
local function number_blocks(blocks)
  local chapter, section, counts, in_chapter_heading = 0, 0, {}, false
  local numbered_chapter, page = false, nil
  for _, block in ipairs(blocks) do
    if block.t == "Div" and has_class(block, "quarto-chapter") then
      in_chapter_heading = true
    elseif block.t == "Header" and block.level <= 2 then
      local number
      if block.level == 1 and in_chapter_heading then
        in_chapter_heading = false
        page = block.identifier
        numbered_chapter = not has_class(block, "unnumbered")
        section = 0
        if numbered_chapter then
          chapter = chapter + 1
          number = tostring(chapter)
        end
      elseif block.level == 2 and numbered_chapter and not has_class(block, "unnumbered") then
        section = section + 1
        number = chapter .. "." .. section
      end
      if number then
        block.content:insert(1, pandoc.Space())
        block.content:insert(1, pandoc.Span(number, { class = "header-section-number" }))
        block.attributes["number"] = number
      end
      if block.identifier ~= "" then
        pages[block.identifier] = page
        refs[block.identifier] = number and ((block.level == 1 and "Chapter " or "Section ") .. number)
          or pandoc.utils.stringify(block.content)
      end
    elseif block.t == "Div" and has_class(block, "cell") and block.content[1]
        and block.content[1].t == "CodeBlock" then
      local label = label_of((cell_options(block.content[1].text)))
      local kind = kind_of(label)
      if kind then
        counts[kind] = (counts[kind] or 0) + 1
        local number = "S" .. counts[kind]
        refs[label] = CROSSREF_KINDS[kind] .. " " .. number
        pages[label] = page
      end
    end
  end
end

-- Pass 2: cells become folded code + outputs, figures and tables. -----------------------------
local function html_tables(blocks)
  return blocks:walk({
    RawBlock = function(raw)
      if raw.format:match("html") and raw.text:match("<table") then
        return pandoc.read(raw.text, "html").blocks
      end
    end,
  })
end

local function caption(label, text)
  local inlines = pandoc.Inlines({ pandoc.Str(refs[label] .. ":"), pandoc.Space() })
  inlines:extend(text or {})
  return inlines
end

local function as_figure(label, cap, blocks)
  local done = false
  return blocks:walk({
    Para = function(para)
      if not done and #para.content == 1 and para.content[1].t == "Image" then
        done = true
        local image = para.content[1]
        image.caption = caption(label, cap)  -- the alt text: what the figure shows
        if docx_output then image.src = image.src:gsub("%.svg$", ".png") end
        return pandoc.Figure({ pandoc.Plain({ image }) }, { pandoc.Plain(caption(label, cap)) },
          pandoc.Attr(label))
      end
    end,
  }), done
end

--- PDF only: a zero-size Typst marker recording on which page a table's caption, header row
--- and each body row land (`typst query book.typ "<supplement-mark>"`; the tests check that a
--- caption stays with its table and that no page holds a fragment of fewer than three rows).
local function mark(label, kind)
  return pandoc.RawInline("typst", '#context [#metadata((table: "' .. label .. '", kind: "' .. kind
    .. '", page: here().page())) <supplement-mark>]')
end

local function mark_rows(label, tbl)
  local function first_cell(row, kind)
    local cell = row.cells[1]
    if cell then cell.contents:insert(1, pandoc.Plain({ mark(label, kind) })) end
  end
  for _, row in ipairs(tbl.head.rows) do first_cell(row, "header") end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do first_cell(row, "row") end
  end
end

--- PDF only: in a table of at most `NARROW_TABLE_COLUMNS` columns a short right-aligned
--- cell (a number as printed: "0.41 (95% CI 0.32–0.52)", "< 0.0001 (two-sided log-rank)")
--- breaks only at its spaces, never at a hyphen (non-breaking) or after a range's dash (a word
--- joiner): "0.60 (95% CI" over "0.48–0.76)", not "0.48–" over "0.76)".
local NARROW_TABLE_COLUMNS = 8
local function unbreakable_numbers(tbl)
  if #tbl.colspecs > NARROW_TABLE_COLUMNS then return end
  for _, body in ipairs(tbl.bodies) do
    for _, row in ipairs(body.body) do
      for j, cell in ipairs(row.cells) do
        local column = #row.cells == #tbl.colspecs and tbl.colspecs[j][1] or nil
        local right = cell.alignment == "AlignRight" or
          (cell.alignment == "AlignDefault" and column == "AlignRight")
        local plain = cell.contents[1]
        if right and #cell.contents == 1 and plain.t == "Plain" and
            utf8.len(pandoc.utils.stringify(plain)) <= 30 then
          cell.contents = cell.contents:walk({ Str = function(str)  -- no break at a dash
            return pandoc.Str((str.text:gsub("%-", "\u{2011}"):gsub("–", "–\u{2060}")))
          end })
        end
      end
    end
  end
end

--- PDF only: a column spanner ("Arm A" over its columns) is centred over them and ruled under
--- its label (Typst's table has no partial rule pandoc could write).
local function rule_spanners(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      local plain = cell.contents[1]
      if cell.col_span > 1 and #cell.contents == 1 and plain.t == "Plain" then
        plain.content:insert(1, pandoc.RawInline("typst",
          "#underline(stroke: 0.5pt, offset: 3pt, extent: 2pt)["))
        plain.content:insert(pandoc.RawInline("typst", "]"))
        cell.alignment = "AlignCenter"
      end
    end
  end
end

--- PDF only: a short parenthesis of a column label ("(95% CI)", "(N=205)") is not broken
--- over two lines ("Median, months" over "(95% CI)", not "Median, months (95%" over "CI)").
local function unbroken_labels(tbl)
  local function join(inlines)
    local i = 1
    while i <= #inlines do
      local el = inlines[i]
      if el.t == "Str" and el.text:match("%(") and not el.text:match("%)") then
        local j, length = i, utf8.len(el.text)
        while j < #inlines and not (inlines[j].t == "Str" and inlines[j].text:match("%)")) do
          j = j + 1
          length = length + utf8.len(pandoc.utils.stringify(inlines[j]))
        end
        if j > i and length <= 16 and inlines[j].t == "Str" and inlines[j].text:match("%)") then
          for k = i + 1, j - 1 do
            if inlines[k].t == "Space" then inlines[k] = pandoc.Str("\u{00A0}") end
          end
        end
        i = j + 1
      else
        i = i + 1
      end
    end
    return inlines
  end
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.contents = cell.contents:walk({ Inlines = join })
    end
  end
end

local function as_table(label, cap, blocks)
  local done = false
  return blocks:walk({
    Table = function(tbl)
      if not done then
        done = true
        local inlines = caption(label, cap)
        if typst_output then
          unbreakable_numbers(tbl)
          unbroken_labels(tbl)
          rule_spanners(tbl)
          mark_rows(label, tbl)
          inlines:insert(1, mark(label, "caption"))
        end
        tbl.caption = { long = { pandoc.Plain(inlines) } }
        tbl.identifier = label
        return tbl
      end
    end,
  }), done
end

--- The body rows of the first table in ``blocks`` (0 without one).
local function body_rows(blocks)
  local rows = 0
  blocks:walk({ Table = function(tbl)
    if rows == 0 then for _, body in ipairs(tbl.bodies) do rows = rows + #body.body end end
  end })
  return rows
end

--- The columns of the first table in ``blocks`` (0 without one).
local function table_columns(blocks)
  local columns = 0
  blocks:walk({ Table = function(tbl)
    if columns == 0 then columns = #tbl.colspecs end
  end })
  return columns
end

--- PDF only: the notes under a figure or table (the paragraphs after it) in the size of a
--- table's text, as journals set footnotes.
local function small_notes(blocks)
  local out, seen = pandoc.Blocks({}), false
  for _, block in ipairs(blocks) do
    if seen and (block.t == "Para" or block.t == "Plain" or block.t == "LineBlock") then
      out:insert(pandoc.RawBlock("typst", "#block(above: 0.5em, below: 0.9em)[#set text(size: 8.5pt)"))
      out:insert(block)
      out:insert(pandoc.RawBlock("typst", "]"))
    else
      out:insert(block)
    end
    if block.t == "Table" or block.t == "Figure" then seen = true end
  end
  return out
end

--- A figure or table with the notes printed under it, as one `.captioned` div; in the PDF an
--- unbreakable block (a long table may break: its header row repeats on each page), the
--- notes in a table's text size, and a table wider than `WIDE_TABLE_COLUMNS` on a landscape
--- page of its own (returned with `wide` true: the caller leaves it outside any block, where
--- Typst allows a page).
local function keep_together(blocks)
  if typst_output then blocks = small_notes(blocks) end
  if typst_output and table_columns(blocks) > WIDE_TABLE_COLUMNS then
    blocks:insert(1, pandoc.RawBlock("typst", "#page(flipped: true)[#set text(size: 7.5pt)\n#show table: set text(size: 7.5pt)\n#set table(inset: (x: 3pt, y: 2pt))"))
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks, true
  end
  if typst_output and body_rows(blocks) <= LONG_TABLE_ROWS then
    blocks:insert(1, pandoc.RawBlock("typst", "#block(breakable: false, width: 100%)["))
    blocks:insert(pandoc.RawBlock("typst", "]"))
  elseif typst_output then
    -- a long table starts on a new page unless its caption, header and first rows fit here
    -- (an empty unbreakable block of that height moves to the next page when they do not)
    blocks:insert(1, pandoc.RawBlock("typst", "#block(breakable: false, width: 100%, height: 5.5cm)[]\n#v(-5.5cm)"))
  end
  return pandoc.Blocks({ pandoc.Div(blocks, { class = "captioned" }) }), false
end

local function code_block(text)
  if typst_output or docx_output or text == "" then return {} end
  local code = pandoc.CodeBlock(text, { class = "python" })
  if not html_output then return { code } end
  return { pandoc.RawBlock("html", '<details class="code-fold"><summary>Code</summary>'), code,
    pandoc.RawBlock("html", "</details>") }
end

local function render_cell(div)
  local options, code = cell_options(div.content[1].text)
  local label = label_of(options)
  local out = pandoc.Blocks({})
  for i = 2, #div.content do
    local block = div.content[i]
    out:extend(block.t == "Div" and has_class(block, "cell-output") and block.content or { block })
  end
  out = html_tables(out)
  if label then outputs[label] = out:clone() end
  local kind, found = kind_of(label), true
  if kind == "fig" then
    out, found = as_figure(label, options["fig-cap"], out)
  elseif kind == "tbl" then
    out, found = as_table(label, options["tbl-cap"], out)
  end
  if not found then  -- the renderer drops such cells first (book_plan.drop_sections)
    io.stderr:write("quarto_syntax.lua: cell " .. label .. " has no " .. kind .. " output\n")
    out:insert(1, pandoc.Div({}, pandoc.Attr(label)))
  end
  local wide = false
  if kind and found then out, wide = keep_together(out) end
  local echo = options.echo == nil or options.echo == true
  local blocks = pandoc.Blocks(echo and code_block(code) or {})
  blocks:extend(out)
  if wide then return blocks end  -- a landscape page: not inside a block (PDF, no code)
  return pandoc.Div(blocks, { class = "cell" })
end

local function callout(div)
  local kind = div.classes[1]:match("^callout%-(%a+)") or "note"
  local title, body = pandoc.Inlines({ pandoc.Str(kind:sub(1, 1):upper() .. kind:sub(2)) }), div.content
  if body[1] and body[1].t == "Header" then
    title = body[1].content
    body = pandoc.Blocks({ table.unpack(body, 2) })
  end
  local blocks = pandoc.Blocks({ pandoc.Para({ pandoc.Strong(title) }) })
  blocks:extend(body)
  if typst_output then
    blocks:insert(1, pandoc.RawBlock("typst",
      "#block(width: 100%, inset: 8pt, radius: 3pt, stroke: (left: 3pt + rgb(\"#c9302c\")), fill: luma(245))["))
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
  return pandoc.Div(blocks, { class = "callout callout-" .. kind })
end

-- Pass 3: embeds. Pass 4: cross-references. -------------------------------------------------
local function embed(para)
  local source = pandoc.utils.stringify(para)
  local file, label = source:match("^{{<%s*embed%s+(%S-)#(%S+)%s*>}}$")
  if not label then return nil end
  if not outputs[label] then
    io.stderr:write("quarto_syntax.lua: unresolved embed " .. file .. "#" .. label .. "\n")
    return pandoc.Para({ pandoc.Str("?@" .. label) })
  end
  return pandoc.Div(outputs[label]:clone(), { class = "quarto-embed" })
end

local function crossref(cite)
  local inlines = pandoc.Inlines({})
  for i, citation in ipairs(cite.citations) do
    local id = citation.id
    if not (id:match("^fig%-") or id:match("^tbl%-") or id:match("^sec%-")) then
      return nil -- a bibliography citation: citeproc's
    end
    if i > 1 then inlines:extend({ pandoc.Str(","), pandoc.Space() }) end
    if refs[id] then
      local page = html_output and pages[id] and pages[id] ~= "" and (pages[id] .. ".html") or ""
      inlines:insert(pandoc.Link(refs[id], page .. "#" .. id))
    else
      io.stderr:write("quarto_syntax.lua: unresolved cross-reference @" .. id .. "\n")
      inlines:insert(pandoc.Str("?@" .. id))
    end
  end
  return inlines
end

-- The front page's statement of the generation rendered (pandoc_book.generation_note): into the
-- title block, `book-generation` in the HTML template (front page only), `include-before` in
-- pandoc's Typst template (under the title, above the contents).
local function front_note(doc)
  doc.blocks = doc.blocks:walk({
    Div = function(div)
      if has_class(div, "book-generation") then
        -- every title page (HTML front page, PDF, Word) names the run and its generation
        -- among its facts (front_matter.py): the note is not repeated
        return {}
      end
    end,
  })
end

-- Word's title page (pandoc's docx template prints the abstract before the contents): the
-- main publication, the facts (registration, version, data cut-off, run, commit) and the
-- abbreviations, from the book's metadata (helpers/render/front_matter.py).
local function docx_front(doc)
  local blocks = pandoc.Blocks({})
  local to = doc.meta["supplement-appendix-to"]
  if to then
    blocks:insert(pandoc.Para({ pandoc.Str("Supplementary appendix to:"), pandoc.Space(),
      pandoc.Emph(pandoc.utils.stringify(to)) }))
  end
  for _, fact in ipairs(doc.meta["supplement-facts"] or {}) do
    blocks:insert(pandoc.Para({ pandoc.Strong(pandoc.utils.stringify(fact.label) .. ":"), pandoc.Space(),
      pandoc.Str(pandoc.utils.stringify(fact.value)) }))
  end
  local items = {}
  for _, item in ipairs(doc.meta["supplement-abbreviations"] or {}) do
    table.insert(items, { pandoc.Inlines({ pandoc.Str(pandoc.utils.stringify(item.short)) }),
      { pandoc.Blocks({ pandoc.Plain(pandoc.utils.stringify(item.long)) }) } })
  end
  if #items > 0 then
    blocks:insert(pandoc.Para({ pandoc.Strong("Abbreviations") }))
    blocks:insert(pandoc.DefinitionList(items))
  end
  if #blocks > 0 then
    doc.meta.abstract = pandoc.MetaBlocks(blocks)
    doc.meta["abstract-title"] = "About this supplement"
  end
end

-- Quarto's conditional content: `::: {.content-visible when-format="html"}` (and
-- `.content-hidden`, `unless-format`) keep their content only in the formats they name.
local function format_matches(name)
  if name == "html" then return html_output end
  if name == "pdf" or name == "typst" then return typst_output end
  if name == "docx" then return docx_output end
  return FORMAT:match(name) ~= nil
end

local function conditional(div)
  local visible = has_class(div, "content-visible")
  if not visible and not has_class(div, "content-hidden") then return nil end
  local when, unless = div.attributes["when-format"], div.attributes["unless-format"]
  local shown = true
  if when then shown = format_matches(when) elseif unless then shown = not format_matches(unless) end
  if not visible then shown = not shown end
  return shown and div.content or {}
end

--- PDF only: a table's rules as journals print them (supplement.typ's `table-rules`): above
--- and under the header and under the last row (above the notes), none between rows.
local function rule_table(tbl)
  local rows = #tbl.head.rows + #tbl.foot.rows
  for _, body in ipairs(tbl.bodies) do rows = rows + #body.head + #body.body end
  return { pandoc.RawBlock("typst", "#[#set table(stroke: table-rules(" .. rows .. "))"), tbl,
    pandoc.RawBlock("typst", "]") }
end

--- A table cell naming an output by its label ("@tbl-os-cox", as the QC appendix's tables do:
--- raw HTML has no citations) links it by its ID ("Table S6"); an output the book leaves out
--- is named "not in this book".
local function crossref_text(str)
  local indent, id = str.text:match("^(.-)@(%a+%-[%w%-_]+)$")  -- after a stub's em spaces
  if not id or indent:match("[%w%p]") or not CROSSREF_KINDS[id:match("^(%a+)-")] then
    return nil
  end
  if not refs[id] then return pandoc.Str(indent .. "not in this book") end
  local page = html_output and pages[id] and pages[id] ~= "" and (pages[id] .. ".html") or ""
  return { pandoc.Str(indent), pandoc.Link(refs[id], page .. "#" .. id) }
end

function Pandoc(doc)
  front_note(doc)
  if docx_output then docx_front(doc) end
  doc.blocks = doc.blocks:walk({ Div = conditional })
  number_blocks(doc.blocks)
  doc.blocks = doc.blocks:walk({
    Div = function(div)
      if has_class(div, "quarto-chapter") then return {} end
      if has_class(div, "quarto-part") then
        if typst_output then
          return pandoc.RawBlock("typst", "#part[" .. pandoc.utils.stringify(div) .. "]")
        end
        if docx_output then  -- a part title of its own in Word's navigation
          return pandoc.Div({ pandoc.Para({ pandoc.Strong(pandoc.utils.stringify(div)) }) },
            { ["custom-style"] = "Title" })
        end
        return {}
      end
      if has_class(div, "cell") and div.content[1] and div.content[1].t == "CodeBlock" then
        return render_cell(div)
      end
      if div.classes[1] and div.classes[1]:match("^callout%-") then return callout(div) end
    end,
  })
  doc.blocks = doc.blocks:walk({ Para = embed })
  doc.blocks = doc.blocks:walk({ Cite = crossref })
  doc.blocks = doc.blocks:walk({ Str = crossref_text })
  if typst_output then doc.blocks = doc.blocks:walk({ Table = rule_table }) end
  return doc
end
