# "The printed equals the computed": every number in a rendered table's CSV
# (RUN/tables/NN_name/*.csv, header rows included) must be a number of that notebook's ARD as
# printed (stat_fmt), or a level, CI level or data cut the ARD names (a landmark "36", a
# grade "3", "95" of a 95% CI, "2020" of 2020-06-30). Numbers are tokens like 0.87, -19.4, 100.0 (the U+2212 minus counts as
# a sign; an en dash or a hyphen after a number separates a range); digits inside a word, also
# after a hyphen that follows one (T1, HER2, MF07-01, T1-2, lancet_oncol_2015), are not
# numbers; a cell that is a citation label ("Villacampa 2024") holds none, nor a label the
# study configuration gives ("Biomarker 2": study_labels). Tokens compare as printed text. tests/traceability.py applies the same rules.

NUMBER_PATTERN <- "(?<![A-Za-z0-9_.])(?<![A-Za-z0-9_]-)-?[0-9]+(?:\\.[0-9]+)?(?![A-Za-z0-9_])"
# a number followed by a hyphen: a range (0.69-1.09), the hyphen is no minus sign
RANGE_PATTERN <- "(?<![A-Za-z0-9_.])([0-9]+(?:\\.[0-9]+)?)-"

# a whole cell that is a citation label, an author (or body) and a year ("Villacampa 2024",
# "JCMT 2023", "Soran et al. 2018"): its year is no statistic
CITATION_LABEL <- "^[A-Z][A-Za-z'-]+( et al\\.)? (19|20)[0-9]{2}$"

number_tokens <- function(text) {
  text <- gsub("\u2212", "-", text, fixed = TRUE)
  text <- gsub(RANGE_PATTERN, "\\1 ", text, perl = TRUE)  # 0.69-1.09: a range, not -1.09
  unlist(regmatches(text, gregexpr(NUMBER_PATTERN, text, perl = TRUE)))
}

allowed_tokens <- function(ard) {
  levels <- c(ard$group1_level, ard$group2_level, ard$variable_level,
              if (!is.null(ard$data_cut)) ard$data_cut)
  cl <- suppressWarnings(as.numeric(ard$conf_level))
  cl <- unique(cl[!is.na(cl)])
  unique(c(number_tokens(ard$stat_fmt[nzchar(ard$stat_fmt)]), number_tokens(levels),
           sprintf("%g", 100 * cl)))
}

#' The labels the study configuration gives (variables, endpoints, arms, labelled levels):
#' words the study typed, not statistics ("Biomarker 2", "Stratification factor 1").
study_labels <- function(study) {
  out <- character()
  walk <- function(x, key = "") {
    if (is.list(x)) {
      for (i in seq_along(x)) walk(x[[i]], if (is.null(names(x))) "" else names(x)[i])
      if (identical(key, "levels") && !is.null(names(x))) out <<- c(out, unlist(x))
    } else if (identical(key, "label") && is.character(x)) {
      out <<- c(out, x)
    }
  }
  walk(study)
  out <- unique(out[nzchar(out) & grepl("[0-9]", out)])
  out[order(-nchar(out))]
}

#' A cell without the study's labels in it (study_labels), longest first; each also as it
#' reads inside a sentence, its first letter lower-cased ("stratified by stratification
#' factor 2": helpers.report.names.in_sentence).
without_labels <- function(cell, labels) {
  for (l in labels) {
    cell <- gsub(l, " ", cell, fixed = TRUE)
    cell <- gsub(paste0(tolower(substr(l, 1, 1)), substring(l, 2)), " ", cell, fixed = TRUE)
  }
  cell
}

check_printed <- function(tables_dir, run, labels = character()) {
  out <- list(checked = 0L, unmatched = list(), tables_without_ard = list())
  if (!dir.exists(tables_dir)) return(out)
  files <- sort(list.files(tables_dir, pattern = "\\.csv$", recursive = TRUE, full.names = TRUE))
  for (path in files) {
    notebook <- basename(dirname(path))
    table <- file.path(notebook, basename(path))
    rows <- run[run$notebook == notebook, , drop = FALSE]
    if (nrow(rows) == 0) {
      out$tables_without_ard[[length(out$tables_without_ard) + 1]] <- table
    }
    allowed <- allowed_tokens(rows)
    cells <- utils::read.csv(path, header = FALSE, colClasses = "character",
                             na.strings = character(), check.names = FALSE, encoding = "UTF-8")
    for (i in seq_len(nrow(cells))) for (j in seq_len(ncol(cells))) {
      cell <- cells[i, j]
      if (grepl(CITATION_LABEL, cell, perl = TRUE)) next
      for (tok in number_tokens(without_labels(cell, labels))) {
        out$checked <- out$checked + 1L
        if (!tok %in% allowed)
          out$unmatched[[length(out$unmatched) + 1]] <- list(
            table = table, notebook = notebook, row = i, column = j, number = tok, cell = cell)
      }
    }
  }
  out
}
