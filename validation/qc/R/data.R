# Reading the ADaM files the run read and deriving the analysis data sets from the
# definitions (studies/README.md, data/README.md):
# - compared arms: the study's arms.control.value -> "A", arms.experimental.value -> "B";
#   arms.others are excluded (counted in the flow);
# - randomised: RANDFL = "Y" when ADSL has RANDFL, else an arm value;
# - analysis population: the population flag = "Y" and a compared arm;
# - time: AVAL converted from AVALU (row by row) or time.unit to time.display_unit, with
#   days 1, weeks 7, months 30.4375, years 365.25 days;
# - event: CNSR = 0; CNSR > 0 is a censoring;
# - data cut C: patients registered after C are dropped; randomised after C become not
#   randomised ("Not randomised by the data cut-off", no arm, population flags "N"); arm B
#   resections after C are not performed; an ADTTE record with ADT after C is censored at C
#   (time = days from STARTDT to C in the display unit, rounded to 4 decimals as AVAL);
#   adverse events with onset (RANDDT + ASTDY days) after C are dropped.

DAYS_PER_UNIT <- c(days = 1, weeks = 7, months = 30.4375, years = 365.25)
NOT_YET_RANDOMISED <- "Not randomised by the data cut-off"

unit_name <- function(x) {
  u <- tolower(trimws(x))
  u <- ifelse(u %in% c("day", "d"), "days", u)
  u <- ifelse(u %in% c("week", "w", "wk", "wks"), "weeks", u)
  u <- ifelse(u %in% c("month", "mo", "mon"), "months", u)
  u <- ifelse(u %in% c("year", "y", "yr", "yrs"), "years", u)
  u
}

#' The file of one table (adsl, adtte, adae) in data_dir for data_format (auto: the first of
#' csv, parquet, xpt, sas7bdat that exists), or NULL when the table is absent.
table_file <- function(data_dir, name, data_format) {
  formats <- if (identical(data_format, "auto")) c("csv", "parquet", "xpt", "sas7bdat") else data_format
  for (ext in formats) {
    hit <- list.files(data_dir, pattern = sprintf("^%s\\.%s$", name, ext), ignore.case = TRUE,
                      full.names = TRUE)
    if (length(hit)) return(hit[1])
  }
  NULL
}

read_table <- function(path) {
  ext <- tolower(tools::file_ext(path))
  if (ext == "csv") {
    df <- utils::read.csv(path, colClasses = "character", na.strings = "", check.names = FALSE,
                          encoding = "UTF-8")
  } else if (ext == "xpt") {
    if (!requireNamespace("foreign", quietly = TRUE))
      qc_stop("reading ", path, " (SAS transport) needs R's foreign package: ",
              "apt-get install r-cran-foreign")
    df <- foreign::read.xport(path)
    df[] <- lapply(df, function(col) {
      if (is.numeric(col)) ifelse(is.na(col), NA_character_, format_number(col))
      else ifelse(trimws(as.character(col)) == "", NA_character_, trimws(as.character(col)))
    })
  } else {
    qc_stop("QC reads CSV and SAS transport (.xpt) files; ", path, " is ", ext,
            ": export the ADaM as CSV or XPT for the run and QC")
  }
  df
}

format_number <- function(x) {
  out <- formatC(x, digits = 15, format = "g")
  trimws(out)
}

num <- function(x) suppressWarnings(as.numeric(x))

#' Days since 1970-01-01 of ISO dates (or SAS date numbers already as text numbers).
as_day <- function(x) {
  out <- suppressWarnings(as.numeric(as.Date(x, optional = TRUE)))
  sas <- is.na(out) & !is.na(num(x))
  out[sas] <- num(x[sas]) - 3653  # SAS dates count from 1960-01-01
  out
}

#' The trial's data as the run read them: list(adsl, adtte, adae, files) with every file
#' checked against the run record's SHA-256.
load_data <- function(record, root) {
  data_dir <- resolve_path(shared_param(record, "data_dir"), root)
  data_format <- shared_param(record, "data_format") %||% "auto"
  out <- list(files = list())
  for (name in c("adsl", "adtte", "adae")) {
    path <- table_file(data_dir, name, data_format)
    if (is.null(path)) {
      if (name != "adae") qc_stop("data_dir ", data_dir, " has no ", name, " file (",
                                  data_format, ")")
      out[[name]] <- NULL
      next
    }
    checked <- check_recorded_file(path, record$data_files, paste0("data file (", name, ")"))
    out$files[[name]] <- checked
    out[[name]] <- read_table(checked$path)
  }
  for (col in c("USUBJID")) if (!col %in% names(out$adsl))
    qc_stop("ADSL has no column ", col)
  for (col in c("USUBJID", "PARAMCD", "AVAL", "CNSR")) if (!col %in% names(out$adtte))
    qc_stop("ADTTE has no column ", col)
  out
}

#' Study configuration file from the record (checked), read with yaml.
load_study <- function(record, root, study_param) {
  path <- normalizePath(resolve_path(study_param, root), mustWork = FALSE)
  if (!file.exists(path)) qc_stop("study configuration ", path, " does not exist")
  check_recorded_file(path, record$study_files, "study configuration")
  study <- yaml::read_yaml(path)
  study$path <- path
  study
}

endpoints_of <- function(study) {
  c(list(study$endpoints$primary), study$endpoints$secondary %||% list())
}

#' The arm value of a study configuration's arm entry (a value or {value, label}).
arm_value <- function(x) if (is.list(x)) as.character(x$value) else as.character(x)

#' The study compared as the run's `comparison` parameter names it (NULL: the first pair of
#' `comparisons`, or the study's own arms): its experimental arm becomes `arms.experimental`
#' (arm B), its control `arms.control` (arm A); every other arm value is excluded.
study_for_comparison <- function(study, comparison) {
  pairs <- study$comparisons
  if (is.null(pairs) || length(pairs) == 0) {
    if (!is.null(comparison))
      qc_stop("run_record.json names comparison '", comparison, "' but the study configuration ",
              study$path, " has no comparisons")
    return(study)
  }
  pairs <- lapply(pairs, function(p) vapply(p, arm_value, ""))
  slugs <- vapply(pairs, function(p) comparison_slug(p[1], p[2]), "")
  slug <- comparison %||% slugs[1]
  if (!slug %in% slugs)
    qc_stop("run_record.json names comparison '", slug, "', not one of the study's (",
            paste(slugs, collapse = ", "), ")")
  pair <- pairs[[match(slug, slugs)]]
  study$arms$experimental <- list(value = pair[1])
  study$arms$control <- list(value = pair[2])
  study$comparison <- slug
  study
}

#' Labelled levels of the study configuration: ADSL column -> named character vector
#' value -> label ({value: label} mappings and lists of {value, label}); a list of plain
#' values has no labels. The run shows (and its ARD holds) the labels in place of the values.
level_labels <- function(study) {
  out <- list()
  for (item in c(study$subgroups %||% list(), study$baseline %||% list())) {
    if (!is.list(item) || is.null(item$levels) || !is.null(out[[item$variable]])) next
    lv <- item$levels
    if (!is.null(names(lv)) && all(nzchar(names(lv)))) {
      out[[item$variable]] <- stats::setNames(vapply(lv, as.character, ""), names(lv))
    } else if (is.list(lv) && length(lv) && all(vapply(lv, is.list, TRUE))) {
      out[[item$variable]] <- stats::setNames(vapply(lv, function(l) as.character(l$label), ""),
                                              vapply(lv, function(l) level_text(l$value), ""))
    }
  }
  out
}

#' The levels of a configured subgroup or Table 1 variable as the run shows them (labels
#' when labelled), or NULL when none are configured.
config_levels <- function(item) {
  lv <- item$levels
  if (is.null(lv)) return(NULL)
  if (!is.null(names(lv)) && all(nzchar(names(lv)))) return(unname(vapply(lv, as.character, "")))
  if (is.list(lv) && length(lv) && all(vapply(lv, is.list, TRUE)))
    return(vapply(lv, function(l) as.character(if (is.null(l$label)) level_text(l$value) else l$label), ""))
  unlist(lapply(lv, level_text))
}

#' ADSL with ARMCD ("A" control, "B" experimental, NA otherwise), RANDOMISED (logical),
#' ARMOTHER (an excluded arm's value), after the data cut. Population `all` (a study without
#' a population flag): every patient with an arm value. Labelled levels replaced by labels.
derive_adsl <- function(adsl, study, data_cut) {
  labels <- level_labels(study)
  for (column in intersect(names(labels), names(adsl))) {
    hit <- !is.na(adsl[[column]]) & adsl[[column]] %in% names(labels[[column]])
    adsl[[column]][hit] <- unname(labels[[column]][adsl[[column]][hit]])
  }
  arm_var <- study$arms$variable
  if (!arm_var %in% names(adsl)) qc_stop("ADSL has no arm variable ", arm_var,
                                         " (arms.variable)")
  value <- adsl[[arm_var]]
  if ("RANDFL" %in% names(adsl)) {
    randomised <- !is.na(adsl$RANDFL) & adsl$RANDFL == "Y"
  } else {
    randomised <- !is.na(value)
  }
  adsl$QC_RANDOMISED <- randomised
  adsl$QC_ARM <- ifelse(randomised & value %in% arm_value(study$arms$control), "A",
                        ifelse(randomised & value %in% arm_value(study$arms$experimental), "B", NA))
  adsl$QC_OTHERARM <- ifelse(randomised & is.na(adsl$QC_ARM), value, NA)
  if ("all" %in% unlist(study$populations) && !"all" %in% names(adsl))
    adsl$all <- ifelse(!is.na(value), "Y", "N")
  if (!is.null(data_cut)) {
    cut <- as.numeric(as.Date(data_cut))
    registered <- if ("REGDT" %in% names(adsl)) as_day(adsl$REGDT) else as_day(adsl$RANDDT)
    adsl <- adsl[!(!is.na(registered) & registered > cut), , drop = FALSE]
    late <- !is.na(as_day(adsl$RANDDT)) & as_day(adsl$RANDDT) > cut
    adsl$QC_RANDOMISED[late] <- FALSE
    adsl$QC_ARM[late] <- NA
    adsl$QC_OTHERARM[late] <- NA
    if ("NRANDRS" %in% names(adsl)) adsl$NRANDRS[late] <- NOT_YET_RANDOMISED
    else adsl$NRANDRS <- ifelse(late, NOT_YET_RANDOMISED, NA)
    for (flag in unlist(study$populations)) if (flag %in% names(adsl)) adsl[[flag]][late] <- "N"
    if ("SURGFL" %in% names(adsl)) {
      resected_late <- if ("SURGDT" %in% names(adsl))
        !is.na(as_day(adsl$SURGDT)) & as_day(adsl$SURGDT) > cut else rep(FALSE, nrow(adsl))
      adsl$SURGFL[resected_late & !late] <- "N"
      adsl$SURGFL[late] <- NA
      if ("RESECT" %in% names(adsl)) adsl$RESECT[late | resected_late] <- NA
    }
  }
  adsl
}

#' One endpoint's analysis data: one row per patient of the population (flag "Y", compared
#' arm) with time (display unit), event (CNSR = 0) and the ADSL columns.
endpoint_data <- function(data, adsl, study, paramcd, population, data_cut) {
  if (!population %in% names(adsl)) qc_stop("ADSL has no population flag ", population)
  pop <- adsl[!is.na(adsl[[population]]) & adsl[[population]] == "Y" & !is.na(adsl$QC_ARM), ,
              drop = FALSE]
  tte <- data$adtte[data$adtte$PARAMCD == paramcd, , drop = FALSE]
  if (nrow(tte) == 0) return(NULL)
  display <- study$time$display_unit %||% "months"
  if ("AVALU" %in% names(tte) && any(!is.na(tte$AVALU))) {
    units <- unit_name(tte$AVALU)
    if (any(is.na(units))) units[is.na(units)] <- unit_name(study$time$unit %||% NA)
  } else {
    units <- rep(unit_name(study$time$unit %||% NA), nrow(tte))
  }
  if (any(!units %in% names(DAYS_PER_UNIT)))
    qc_stop("ADTTE PARAMCD ", paramcd, ": unknown time unit ", units[!units %in% names(DAYS_PER_UNIT)][1])
  time <- num(tte$AVAL) * DAYS_PER_UNIT[units] / DAYS_PER_UNIT[[display]]
  cnsr <- num(tte$CNSR)
  if (!is.null(data_cut)) {
    cut <- as.numeric(as.Date(data_cut))
    adt <- as_day(tte$ADT)
    after <- !is.na(adt) & adt > cut
    start <- as_day(tte$STARTDT)
    # at the precision of the data contract's AVAL (4 decimals), so that a censoring at the
    # cut ties with an event on the same day
    time[after] <- round((cut - start[after]) / DAYS_PER_UNIT[[display]], 4)
    cnsr[after] <- 1
  }
  tte <- data.frame(USUBJID = tte$USUBJID, time = unname(time), event = as.integer(cnsr == 0),
                    stringsAsFactors = FALSE)
  out <- merge(pop, tte, by = "USUBJID")
  out$arm <- factor(out$QC_ARM, levels = c("A", "B"))
  out[order(out$USUBJID), , drop = FALSE]
}
