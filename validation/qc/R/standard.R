# Chapter 12's standard outputs (the TLG catalogue) from their definitions:
# - DTHT01 (dtht01): the randomised patients of the compared arms; deaths = an event row
#   (CNSR 0) of outputs.deaths.paramcd (default the primary endpoint); by cause (the configured
#   column of ADTTE or ADSL; blank "Not given"); deaths within within_days days of the
#   procedure date (study.procedure.date; N the procedure arm's patients with a
#   date); n, N, p per arm and in total;
# - TTET01 ({P}.ttet01.*) of every compared endpoint: events (CNSR 0) and their first event
#   type (EVNTDESC), censored and per code (CNSR) and reason (CNSDTDSC); the quartiles of the
#   time with their CIs (survival's quantile.survfit) and the range; the arm's Cox HR at each
#   CI level of the run, stratified by the run's strata and unstratified, and the log-rank
#   tests; the Kaplan-Meier rates at the landmarks and their difference B - A with the
#   Greenwood variance of the difference (Wald CI, two-sided p);
# - COXT02 ({P}.coxt02): the Cox model of the arm and the study's covariates (unstratified;
#   integer codes with at most 5 values in a text (CSV) file as categories; a categorical
#   covariate's reference its first configured level the data hold, as the run shows it
#   (the label where the study labels levels), else the first sorted).
# Under a data cut an ADTTE record after the cut is a censoring at the cut: CNSR 1, no event
# type, CNSDTDSC "Data cut-off" (data/README.md).

QUARTILES <- c(0.25, 0.5, 0.75)

#' ADTTE rows of `paramcd` with the data cut applied to CNSR, EVNTDESC and CNSDTDSC.
adtte_at_cut <- function(data, paramcd, data_cut) {
  tte <- data$adtte[data$adtte$PARAMCD == paramcd, , drop = FALSE]
  if (!is.null(data_cut)) {
    after <- !is.na(as_day(tte$ADT)) & as_day(tte$ADT) > as.numeric(as.Date(data_cut))
    tte$CNSR[after] <- "1"
    if ("EVNTDESC" %in% names(tte)) tte$EVNTDESC[after] <- NA
    if ("CNSDTDSC" %in% names(tte)) tte$CNSDTDSC[after] <- "Data cut-off"
  }
  tte
}

text_of <- function(x) ifelse(is.na(x), "", trimws(as.character(x)))

#' n, N, p per arm (and in total) of the patients `d` (column QC_ARM) meeting `mask`.
count_rows <- function(call, d, mask, arms = c("A", "B", "Total"), denominator = NULL, ...) {
  if (is.null(denominator)) denominator <- rep(TRUE, nrow(d))
  for (a in arms) {
    in_arm <- if (a == "Total") rep(TRUE, nrow(d)) else d$QC_ARM %in% a
    n <- sum(mask & in_arm & denominator)
    N <- sum(in_arm & denominator)
    call(list(n = n, N = N, p = if (N) n / N else NA), group1_level = a, ...)
  }
}

standard_rows <- function(add, record, study, data, adsl, data_cut, cut) {
  s <- settings_of(record, "12_standard_outputs")
  file_is_text <- identical(tolower(tools::file_ext(data$files$adsl$path)), "csv")
  deaths_rows(add, study, data, adsl, data_cut, cut)
  levels <- c(s$conf_level, s$primary_conf_level)
  for (ep in endpoints_of(study)) {
    if (identical(ep$compare, FALSE)) next
    d <- endpoint_data(data, adsl, study, ep$paramcd, s$population, data_cut)
    if (is.null(d)) next
    ttet01_rows(add, d, adtte_at_cut(data, ep$paramcd, data_cut), ep$paramcd, s,
                sort(unique(levels)), cut)
    covariates <- intersect(unlist(study$covariates), names(adsl))
    if (length(covariates))
      coxt02_rows(add, d, ep$paramcd, covariates, study, s, file_is_text, cut)
  }
}

deaths_rows <- function(add, study, data, adsl, data_cut, cut) {
  config <- study$outputs$deaths %||% list()
  paramcd <- config$paramcd %||% study$endpoints$primary$paramcd
  if (!any(data$adtte$PARAMCD == paramcd)) return(invisible())
  randomised <- adsl[!is.na(adsl$QC_ARM), , drop = FALSE]
  tte <- adtte_at_cut(data, paramcd, data_cut)
  dead_rows <- tte[num(tte$CNSR) %in% 0, , drop = FALSE]
  dead <- randomised$USUBJID %in% dead_rows$USUBJID
  call <- function(stats, ...) add(stats, analysis_id = "dtht01", notebook = "12_standard_outputs",
                                   method_id = "count", context = "tabulate", paramcd = paramcd,
                                   data_cut = cut, group1 = "ARMCD", ...)
  count_rows(call, randomised, dead, variable = "deaths")
  if (!is.null(config$cause)) {
    parts <- strsplit(config$cause, ".", fixed = TRUE)[[1]]
    source <- if (parts[1] == "ADSL") randomised else dead_rows
    if (parts[2] %in% names(source)) {
      cause <- text_of(source[[parts[2]]][match(randomised$USUBJID, source$USUBJID)])
      for (lev in sort(unique(cause[dead]), method = "radix"))
        count_rows(call, randomised, dead & cause == lev, variable = "cause",
                   variable_level = if (nzchar(lev)) lev else "Not given")
    }
  }
  procedure <- study$study$procedure  # the protocol procedure (studies/README.md)
  if (!is.null(procedure$date) && procedure$date %in% names(randomised) && "ADT" %in% names(tte)) {
    within_days <- config$within_days %||% 30
    days <- as_day(dead_rows$ADT[match(randomised$USUBJID, dead_rows$USUBJID)]) -
      as_day(randomised[[procedure$date]])
    within <- dead & !is.na(days) & days >= 0 & days <= within_days
    arms <- switch(procedure$arm %||% "both", control = "A", experimental = "B", c("A", "B", "Total"))
    count_rows(call, randomised, within, arms = arms,
               denominator = !is.na(as_day(randomised[[procedure$date]])),
               variable = "death_within_days", variable_level = within_days)
  }
}

ttet01_rows <- function(add, d, tte, paramcd, s, levels, cut) {
  call <- function(stats, analysis_id, ...)
    add(stats, analysis_id = paste0(paramcd, ".ttet01.", analysis_id),
        notebook = "12_standard_outputs", paramcd = paramcd, population = s$population,
        data_cut = cut, ...)
  # events and censoring of the analysed patients
  rec <- tte[match(d$USUBJID, tte$USUBJID), , drop = FALSE]
  cnsr <- num(rec$CNSR)
  ev <- function(stats, ...) call(stats, "events", method_id = "count", context = "tabulate",
                                  group1 = "ARMCD", ...)
  count_rows(ev, d, cnsr %in% 0, variable = "event")
  if ("EVNTDESC" %in% names(rec)) {
    desc <- text_of(rec$EVNTDESC)
    for (lev in sort(unique(desc[cnsr %in% 0]), method = "radix"))
      count_rows(ev, d, cnsr %in% 0 & desc == lev, variable = "EVNTDESC",
                 variable_level = if (nzchar(lev)) lev else "Not given")
  }
  count_rows(ev, d, !is.na(cnsr) & cnsr > 0, variable = "censored")
  reason <- if ("CNSDTDSC" %in% names(rec)) text_of(rec$CNSDTDSC) else rep("", nrow(rec))
  censored <- !is.na(cnsr) & cnsr > 0
  pairs <- unique(data.frame(code = cnsr[censored], text = reason[censored]))
  for (i in seq_len(nrow(pairs)))
    count_rows(ev, d, censored & cnsr == pairs$code[i] & reason == pairs$text[i],
               variable = "CNSR", variable_level = pairs$code[i], group2 = "CNSDTDSC",
               group2_level = pairs$text[i])
  # quartiles with CIs, range; landmark rates and their difference
  km_method <- paste0("km_", gsub("-", "", s$km_conf_type))
  marks <- list()
  for (a in c("A", "B")) {
    x <- d[d$arm == a, , drop = FALSE]
    fit <- survfit(Surv(time, event) ~ 1, data = x, conf.type = km_conf_type(s$km_conf_type),
                   conf.int = s$conf_level)
    q <- quantile(fit, probs = QUARTILES, conf.int = TRUE)
    for (i in seq_along(QUARTILES))
      call(list(estimate = unname(q$quantile[i]), conf.low = unname(q$lower[i]),
                conf.high = unname(q$upper[i])), "quantiles", method_id = km_method,
           context = "survfit", conf_level = s$conf_level, group1 = "ARMCD", group1_level = a,
           variable = "prob", variable_level = QUARTILES[i],
           warning = if (is.na(q$quantile[i])) "not reached" else "")
    call(list(min = min(x$time), max = max(x$time)), "quantiles", method_id = km_method,
         context = "survfit", group1 = "ARMCD", group1_level = a, variable = "time")
    marks[[a]] <- km_group(x$time, x$event, s$km_conf_type, s$conf_level,
                           s$landmarks_months)$landmarks
    for (i in seq_along(s$landmarks_months))
      call(marks[[a]][[i]]$stats, "landmarks", method_id = km_method, context = "survfit",
           conf_level = s$conf_level, group1 = "ARMCD", group1_level = a, variable = "time",
           variable_level = s$landmarks_months[i], warning = marks[[a]][[i]]$warning)
  }
  z <- z_of(s$conf_level)
  for (i in seq_along(s$landmarks_months)) {
    a <- marks$A[[i]]$stats; b <- marks$B[[i]]$stats
    est <- b$estimate - a$estimate
    se <- sqrt(a$std.error^2 + b$std.error^2)
    call(list(estimate = est, std.error = se, conf.low = est - z * se, conf.high = est + z * se,
              p.value = if (!is.na(se) && se > 0) 2 * pnorm(-abs(est / se)) else NA),
         "landmarks", method_id = "km_diff_greenwood", context = "survfit",
         conf_level = s$conf_level, group1 = "ARMCD", group1_level = "B vs A",
         variable = "time", variable_level = s$landmarks_months[i])
  }
  # the arm's hazard ratio at each CI level, stratified and unstratified; log-rank tests
  models <- list(unstratified = character())
  if (length(s$strata)) models <- c(list(stratified = s$strata), models)
  for (name in names(models)) {
    used <- models[[name]]
    for (level in levels) {
      fit <- cox_arm(d, used, s$ties, level, tests = TRUE)
      call(fit$stats, sprintf("cox.%s.%g", name, 100 * level),
           method_id = paste0("coxph_", if (length(used)) "strat_" else "", s$ties),
           context = "coxph", conf_level = level, group1 = "ARMCD", group1_level = "B vs A",
           variable = "ARMCD", warning = fit$warning)
    }
    call(logrank_arm(d, used), paste0("logrank.", name),
         method_id = if (length(used)) "logrank_strat" else "logrank", context = "survdiff",
         group1 = "ARMCD", group1_level = "B vs A", variable = "ARMCD")
  }
}

#' The configured levels of an ADSL column (Table 1's, else the subgroups'), as the run shows
#' them (labels where the study labels levels): the order of a COXT02 covariate's levels, the
#' first the reference.
configured_levels <- function(study, column) {
  for (item in c(study$baseline %||% list(), study$subgroups %||% list()))
    if (is.list(item) && identical(item$variable, column) && !is.null(item$levels))
      return(config_levels(item))
  character()
}

coxt02_rows <- function(add, d, paramcd, covariates, study, s, file_is_text, cut) {
  n_in <- nrow(d)
  d <- complete_rows(d, covariates)
  terms <- character()
  for (col in covariates) {
    v <- d[[col]]
    x <- num(v)
    numeric <- all(!is.na(x[!is.na(v)]))
    few_codes <- numeric && file_is_text && all(x == round(x), na.rm = TRUE) &&
      length(unique(x)) <= 5
    if (numeric && !few_codes) {
      d[[col]] <- x
      next
    }
    present <- sort(unique(as.character(v)), method = "radix")
    configured <- configured_levels(study, col)
    d[[col]] <- factor(as.character(v), levels = c(intersect(configured, present),
                                                   setdiff(present, configured)))
  }
  fit <- tryCatch(coxph(surv_formula(c("arm", backquote(covariates)), character()), data = d,
                        ties = s$ties), warning = function(w) NULL, error = function(e) NULL)
  if (is.null(fit) || any(is.na(coef(fit)))) return(invisible())  # not estimable: the run lists it
  z <- z_of(s$conf_level)
  se <- sqrt(diag(vcov(fit)))
  call <- function(stats, ...) add(stats, analysis_id = paste0(paramcd, ".coxt02"),
                                   notebook = "12_standard_outputs",
                                   method_id = paste0("coxph_", s$ties), context = "coxph",
                                   paramcd = paramcd, population = s$population, data_cut = cut,
                                   ...)
  term <- function(name, variable, level, reference) {
    if (!name %in% names(coef(fit))) name <- paste0(backquote(variable), level)
    b <- unname(coef(fit)[name]); e <- unname(se[name])
    call(list(estimate = exp(b), std.error = e, conf.low = exp(b - z * e),
              conf.high = exp(b + z * e), p.value = 2 * pnorm(-abs(b / e))),
         conf_level = s$conf_level, variable = variable, variable_level = level,
         group2 = if (is.null(reference)) "" else "reference", group2_level = reference %||% "")
  }
  term("armB", "ARMCD", "B", "A")
  for (col in covariates) {
    if (is.factor(d[[col]])) {
      lv <- levels(d[[col]])
      for (l in lv[-1]) term(paste0(col, l), col, l, lv[1])
    } else {
      term(col, col, "", NULL)
    }
  }
  call(list(n = nrow(d), n.event = sum(d$event), n.excluded = n_in - nrow(d)))
}
