# Competing risks (chapter 11) from their definitions, with R's cmprsk: the study's
# competing_risks endpoint (paramcd); on an event row (CNSR 0) the event_type column names
# the event: the event of interest is cause 1, the competing codes 2, 3, ... in the
# configured order; censored rows cause 0. Per arm the cumulative incidence of every cause
# (cuminc: Aalen-Johansen with its variance) at the landmarks, with pointwise log(-log) CIs
# at conf_level; numbers at risk (time >= t) at the landmarks and every 12 time units from 0
# (the figure's); Gray's test of each cause (cuminc's, stratified by the run's strata as
# cuminc(strata =), patients with a missing stratum left out); the Fine-Gray
# subdistribution hazard ratio of arm B (crr, the arm its only covariate, no strata; robust
# standard error, Wald CI and two-sided p).

RISK_STEP <- 12

competing_rows <- function(add, data, adsl, study, record, data_cut, cut) {
  spec <- study$competing_risks
  if (is.null(spec)) return(invisible())
  s <- settings_of(record, "11_competing_risks")
  d <- endpoint_data(data, adsl, study, spec$paramcd, s$population, data_cut)
  if (is.null(d)) return(invisible())
  codes <- c(spec$event, unlist(spec$competing))
  tte <- data$adtte[data$adtte$PARAMCD == spec$paramcd, , drop = FALSE]
  type <- trimws(tte[[spec$event_type]][match(d$USUBJID, tte$USUBJID)])
  d$cause <- ifelse(d$event == 1, match(type, codes), 0L)
  if (any(is.na(d$cause)))
    qc_stop("ADTTE PARAMCD ", spec$paramcd, ": event rows whose ", spec$event_type,
            " is none of competing_risks.event / competing")
  common <- list(notebook = "11_competing_risks", paramcd = spec$paramcd,
                 population = s$population, data_cut = cut)
  call <- function(stats, ...) do.call(add, c(list(stats), common, list(...)))
  cuminc_id <- paste0(spec$paramcd, ".cuminc")
  cm <- list(analysis_id = cuminc_id, method_id = "cuminc_aj_loglog", context = "cuminc",
             group1 = "ARMCD")
  z <- z_of(s$conf_level)
  marks <- s$landmarks_months
  for (a in c("A", "B")) {
    x <- d[d$arm == a, , drop = FALSE]
    do.call(call, c(list(list(n = nrow(x), n.censor = sum(x$cause == 0))), cm,
                    list(group1_level = a)))
    for (t in marks)
      do.call(call, c(list(list(n.risk = sum(x$time >= t))), cm,
                      list(group1_level = a, variable = "time", variable_level = t)))
    fit <- cmprsk::cuminc(x$time, x$cause, cencode = 0)
    for (k in seq_along(codes)) {
      where <- c(cm, list(group1_level = a, group2 = spec$event_type, group2_level = codes[k]))
      do.call(call, c(list(list(n.event = sum(x$cause == k))), where))
      curve <- fit[[paste("1", k)]]
      for (t in marks) {
        if (t > max(x$time)) {
          est <- NA; v <- NA; why <- paste0("landmark beyond the follow-up of ARMCD ", a)
        } else if (is.null(curve)) {
          est <- 0; v <- 0; why <- ""  # no event of this type: incidence 0
        } else {
          tp <- cmprsk::timepoints(list(curve), t)
          est <- unname(tp$est[1, 1]); v <- unname(tp$var[1, 1]); why <- ""
        }
        ci <- if (!is.na(est) && est > 0 && est < 1) {
          bound <- est^exp(c(-1, 1) * z * sqrt(v) / (est * log(est)))
          sort(bound)
        } else c(NA, NA)
        do.call(call, c(list(list(estimate = est, std.error = sqrt(v), conf.low = ci[1],
                                  conf.high = ci[2])), where,
                        list(variable = "time", variable_level = t, conf_level = s$conf_level,
                             warning = if (nzchar(why)) why else if (is.na(ci[1]))
                               "no CI" else "")))
      }
    }
  }
  # the figure's numbers at risk, every RISK_STEP time units from 0 to the last follow-up
  for (a in c("A", "B")) for (t in seq(0, max(d$time) + 1e-9, by = RISK_STEP))
    call(list(n.risk = sum(d$time[d$arm == a] >= t)), analysis_id = paste0(cuminc_id, ".risk"),
         method_id = "cuminc_aj_loglog", context = "cuminc", group1 = "ARMCD", group1_level = a,
         variable = "time", variable_level = t)
  # Gray's test (stratified: cuminc's strata, the strata columns' combinations)
  g <- complete_rows(d, s$strata)
  strata <- if (length(s$strata)) interaction(g[s$strata], drop = TRUE) else NULL
  gray <- if (is.null(strata)) cmprsk::cuminc(g$time, g$cause, g$arm, cencode = 0)$Tests else
    cmprsk::cuminc(g$time, g$cause, g$arm, strata = strata, cencode = 0)$Tests
  for (k in seq_along(codes)) {
    where <- list(analysis_id = paste0(spec$paramcd, ".gray"),
                  method_id = if (length(s$strata)) "gray_strat" else "gray", context = "cuminc",
                  group1 = "ARMCD", group1_level = "B vs A", group2 = spec$event_type,
                  group2_level = codes[k], variable = "ARMCD")
    test <- if (as.character(k) %in% rownames(gray)) gray[as.character(k), ] else NULL
    do.call(call, c(list(list(statistic = if (is.null(test)) NA else test[["stat"]], df = 1,
                              p.value = if (is.null(test)) NA else test[["pv"]])), where))
    # Fine-Gray subdistribution hazard ratio of arm B, cause k
    where$analysis_id <- paste0(spec$paramcd, ".finegray")
    where$method_id <- "crr"
    where$context <- "crr"
    stats <- list(estimate = NA, conf.low = NA, conf.high = NA, std.error = NA, p.value = NA)
    if (any(d$cause == k)) {
      fg <- cmprsk::crr(d$time, d$cause, cov1 = matrix(as.numeric(d$arm == "B"), ncol = 1),
                        failcode = k, cencode = 0)
      b <- unname(fg$coef[1]); se <- sqrt(fg$var[1, 1])
      stats <- list(estimate = exp(b), conf.low = exp(b - z * se), conf.high = exp(b + z * se),
                    std.error = se, p.value = 2 * pnorm(-abs(b / se)))
    }
    do.call(call, c(list(c(stats, list(n = nrow(d), n.event = sum(d$cause == k)))), where,
                    list(conf_level = s$conf_level)))
  }
}
