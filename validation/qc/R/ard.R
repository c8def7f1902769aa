# Analysis results data (ARD) rows in the schema of docs/ard.md, built independently of the
# Python package: one row per statistic, identified by (analysis_id, group1, group1_level,
# group2, group2_level, variable, variable_level, stat_name).

ARD_COLUMNS <- c("notebook", "analysis_id", "output_id", "method_id", "paramcd", "population",
                 "data_cut", "conf_level", "group1", "group1_level", "group2", "group2_level",
                 "variable", "variable_level", "context", "stat_name", "stat_label", "stat",
                 "stat_fmt", "warning", "error")
ARD_KEY <- c("analysis_id", "group1", "group1_level", "group2", "group2_level", "variable",
             "variable_level", "stat_name")

STAT_LABELS <- c(
  n = "n", N = "N", p = "%", N_miss = "N missing", mean = "Mean", sd = "SD", median = "Median",
  p25 = "Q1", p75 = "Q3", min = "Min", max = "Max", n.event = "Events",
  estimate = "Estimate", conf.low = "CI lower bound", conf.high = "CI upper bound",
  std.error = "Standard error", n.risk = "Number at risk", statistic = "Chi-square",
  df = "Degrees of freedom", p.value = "p-value", p.value.one.sided = "One-sided p-value",
  p.value.interaction = "p-value for interaction", tau = "Horizon", tau2 = "tau^2",
  I2 = "I^2", Q = "Q", Q.p.value = "p-value of Q", pi.low = "Prediction interval lower bound",
  pi.high = "Prediction interval upper bound", k = "Number of studies")

#' Level text as the contract writes it: numbers with %g (36, not 36.0), text as is.
level_text <- function(x) {
  if (is.null(x) || length(x) == 0 || (length(x) == 1 && is.na(x))) return("")
  if (is.numeric(x)) return(sprintf("%g", x))
  as.character(x)
}

#' A collector of ARD rows; `add()` takes the statistics as a named list (NA = not estimable,
#' then `warning` must say why).
ard_collector <- function() {
  rows <- list()
  add <- function(stats, analysis_id, notebook, method_id, context, paramcd = "",
                  population = "", data_cut = "", conf_level = NA_real_, group1 = "",
                  group1_level = "", group2 = "", group2_level = "", variable = "",
                  variable_level = "", warning = "") {
    for (name in names(stats)) {
      value <- as.numeric(stats[[name]])
      if (length(value) != 1) stop(sprintf("QC internal: statistic %s of %s is not one number",
                                           name, analysis_id))
      if (is.nan(value) || is.infinite(value)) value <- NA_real_
      has_ci <- name %in% c("conf.low", "conf.high", "pi.low", "pi.high")
      label <- if (name %in% names(STAT_LABELS)) STAT_LABELS[[name]] else name
      rows[[length(rows) + 1]] <<- data.frame(
        notebook = notebook, analysis_id = analysis_id, output_id = "", method_id = method_id,
        paramcd = paramcd, population = population, data_cut = data_cut %||% "",
        conf_level = if (has_ci) conf_level else NA_real_,
        group1 = group1, group1_level = level_text(group1_level), group2 = group2,
        group2_level = level_text(group2_level), variable = variable,
        variable_level = level_text(variable_level), context = context, stat_name = name,
        stat_label = label, stat = value, stat_fmt = "",
        warning = if (is.na(value) && !nzchar(warning)) "not estimable" else warning,
        error = "", stringsAsFactors = FALSE)
    }
    invisible(NULL)
  }
  result <- function() {
    if (length(rows) == 0) stop("QC computed no statistic")
    out <- do.call(rbind, rows)
    key <- do.call(paste, c(out[ARD_KEY], sep = "\x1f"))
    if (anyDuplicated(key)) {
      dup <- out[duplicated(key), ARD_KEY][1, ]
      stop(sprintf("QC internal: duplicate ARD key %s", paste(unlist(dup), collapse = " | ")))
    }
    out[ARD_COLUMNS]
  }
  list(add = add, result = result)
}

`%||%` <- function(a, b) if (is.null(a) || length(a) == 0) b else a
