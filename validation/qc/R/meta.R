# The meta-analysis (chapter 08) from its definitions, with R's metafor: the study's trial
# table (study.trials, checked against run_record.json), each trial at its chosen version
# (parameter meta_versions, else the table's default_version), this run's trial from this
# run (the primary endpoint's Cox HR at primary_conf_level for OS; the Cox HR of the table's
# local_control.paramcd (e.g. LRFS) at
# conf_level for local control) or from the published figures (study.reference); the standard
# error of the log HR from the CI at its own level, (log(upper) - log(lower)) / (2 z);
# uncertain versions left out of the pooling unless meta_include_uncertain; pooling with
# metafor::rma (method meta_method, test "knha" with meta_hksj), CIs at conf_level.
#
# Rows (docs/ard.md, meta.{o}.*): trials (HR with the CI rebuilt at conf_level, weight in %,
# year, CI level as published), run_trial, pooled, methods (FE, DL, REML, PM, each random
# model also with HKSJ), loo, cumulative, published, same_trials(_inverted), versions,
# inverted, reported (local control).

META_METHODS <- c(FE = "Common effect (inverse variance)", DL = "Random effects, DerSimonian-Laird",
                  REML = "Random effects, REML", PM = "Random effects, Paule-Mandel")
#' "trial version" keys of the versions whose HR direction the sources leave unclear (the
#' trial table's direction_unclear): the chapter's "inverted" analyses invert these.
unclear_versions <- function(trials, o) {
  keys <- character(0)
  for (t in trials$trials) for (name in names(t[[o]]$versions %||% list())) {
    u <- t[[o]]$versions[[name]]$direction_unclear
    if (!is.null(u) && !identical(u, FALSE)) keys <- c(keys, paste(t$id, name))
  }
  keys
}

#' The file a study configuration key names: absolute as given, else from the study's folder.
study_named_file <- function(study, name) {
  if (is.null(name)) return(NULL)
  if (startsWith(name, "/")) name else file.path(dirname(study$path), name)
}

#' The YAML file the study configuration key ``key`` of section ``study`` names ("trials",
#' "reference"), read after checking it is the file the run recorded; NULL when not named.
read_study_yaml <- function(study, record, key, what) {
  path <- study_named_file(study, study$study[[key]])
  if (is.null(path)) return(NULL)
  yaml::read_yaml(check_recorded_file(path, record$study_files,
                                      paste0(what, " (study.", key, ")"))$path)
}

#' A published figure of study.reference by its dotted key (results.os.hazard_ratio).
published_figure <- function(figures, key) {
  x <- figures
  for (part in strsplit(key, ".", fixed = TRUE)[[1]]) x <- x[[part]]
  if (is.null(x$value) || is.null(x$ci) || is.null(x$ci_level))
    qc_stop("published figure ", key, " has no value, ci and ci_level")
  list(hr = as.numeric(x$value), lower = as.numeric(x$ci[[1]]), upper = as.numeric(x$ci[[2]]),
       level = as.numeric(x$ci_level))
}

se_from_ci <- function(lower, upper, level) (log(upper) - log(lower)) / (2 * z_of(level))

#' One row per trial reporting `outcome` at its chosen version, ordered by year then id.
trial_rows <- function(trials, outcome, versions, run_estimate, figures) {
  rows <- list()
  for (t in trials$trials) {
    entry <- t[[outcome]]
    if (is.null(entry)) next
    version <- versions[[t$id]] %||% entry$default_version
    est <- entry$versions[[version]]
    if (is.null(est)) qc_stop("trial table: trial ", t$id, " has no ", outcome, " version ", version)
    if (isTRUE(est$from_run)) {
      if (is.null(run_estimate)) next  # not estimable in this run: left out, said so
      v <- run_estimate
    } else if (!is.null(est$reference)) {
      v <- published_figure(figures, est$reference)
    } else {
      v <- list(hr = est$hr, lower = est$ci[[1]], upper = est$ci[[2]], level = est$ci_level)
    }
    rows[[length(rows) + 1]] <- data.frame(
      trial = t$id, version = version, year = as.numeric(est$year), hr = v$hr,
      lower = v$lower, upper = v$upper, ci_level = v$level, log_hr = log(v$hr),
      se = se_from_ci(v$lower, v$upper, v$level), uncertain = isTRUE(est$uncertain),
      from_run = isTRUE(est$from_run), stringsAsFactors = FALSE)
  }
  if (!length(rows)) return(NULL)
  out <- do.call(rbind, rows)
  out[order(out$year, out$trial, method = "radix"), , drop = FALSE]
}

#' metafor's fit of rows (log_hr, se) with `method`, HKSJ (test "knha") and the CI level.
meta_fit <- function(rows, method, hksj, conf_level) {
  # tau2 to full precision (metafor's default convergence threshold is 1e-5; the run's 1e-12)
  metafor::rma(yi = rows$log_hr, sei = rows$se, method = method,
               test = if (hksj) "knha" else "z", level = 100 * conf_level,
               control = list(threshold = 1e-12, tol = 1e-12, maxiter = 10000))
}

#' The pooled statistics of a fit (docs/ard.md, `rma`): HR scale; I2's Q-profile CI
#' (metafor confint; for the common-effect model that of a random-effects fit, the Q-profile
#' of tau2 not depending on the estimator); prediction interval from predict().
pooled_stats <- function(fit, rows, conf_level) {
  pr <- stats::predict(fit)
  pi <- if (!is.null(pr$pi.lb)) c(pr$pi.lb, pr$pi.ub) else c(pr$ci.lb, pr$ci.ub)
  i2_ci <- c(NA, NA)
  if (fit$k >= 2) {
    re <- if (fit$method %in% c("FE", "EE", "CE")) meta_fit(rows, "DL", FALSE, conf_level) else fit
    ci <- stats::confint(re, level = 100 * conf_level)$random
    i2_ci <- unname(ci["I^2(%)", c("ci.lb", "ci.ub")])
  }
  list(estimate = exp(fit$b[1]), conf.low = exp(fit$ci.lb), conf.high = exp(fit$ci.ub),
       p.value = fit$pval, tau2 = fit$tau2, I2 = fit$I2, I2.conf.low = i2_ci[1],
       I2.conf.high = i2_ci[2], Q = fit$QE, Q.p.value = fit$QEp, pi.low = exp(pi[1]),
       pi.high = exp(pi[2]), k = fit$k)
}

meta_rows <- function(add, record, root, study, data, adsl, data_cut, cut) {
  s <- settings_of(record, "08_meta_analysis")
  trials <- read_study_yaml(study, record, "trials", "trial table")
  if (is.null(trials)) return(invisible())
  figures <- read_study_yaml(study, record, "reference", "published figures") %||% list()
  versions <- s$meta_versions %||% list()
  conf <- s$conf_level
  run_hr <- function(paramcd, level) {
    d <- endpoint_data(data, adsl, study, paramcd, s$population, data_cut)
    if (is.null(d)) return(NULL)
    fit <- cox_arm(d, s$strata, s$ties, level)$stats
    if (is.na(fit$estimate) || !is.finite(fit$conf.low) || fit$conf.low <= 0 ||
        !is.finite(fit$conf.high)) return(NULL)
    list(hr = fit$estimate, lower = fit$conf.low, upper = fit$conf.high, level = level)
  }
  os_est <- run_hr(s$endpoint, s$primary_conf_level)
  outcome_rows(add, "os", trials, versions, os_est, figures, s, conf, cut)
  # local control: the study's endpoint the trial table names (local_control.paramcd)
  local <- trials$local_control$paramcd
  if (!is.null(local) && any(data$adtte$PARAMCD == local))
    outcome_rows(add, "local_control", trials, versions,
                 run_hr(local, if (identical(local, s$endpoint)) s$primary_conf_level else conf),
                 figures, s, conf, cut)
}

outcome_rows <- function(add, o, trials, versions, run_est, figures, s, conf, cut) {
  method <- s$meta_method
  hksj <- isTRUE(s$meta_hksj)
  table <- trial_rows(trials, o, versions, run_est, figures)
  pooled <- table[!table$uncertain | isTRUE(s$meta_include_uncertain), , drop = FALSE]
  method_id <- if (nrow(pooled) >= 2) paste0("rma_", method) else "rma"
  row <- function(stats, analysis_id, ..., context = "rma", mid = method_id)
    add(stats, analysis_id = paste0("meta.", o, ".", analysis_id), notebook = "08_meta_analysis",
        method_id = mid, context = context, data_cut = cut, ...)
  hr3 <- function(hr, lower, upper) list(estimate = hr, conf.low = lower, conf.high = upper)
  own <- table[table$from_run, , drop = FALSE]
  for (i in seq_len(nrow(own)))
    row(hr3(own$hr[i], own$lower[i], own$upper[i]), "run_trial", variable = "version",
        variable_level = "this_run", conf_level = own$ci_level[i])
  own_trial <- NULL
  for (t in trials$trials) {
    pub <- t[[o]]$versions$published
    if (!is.null(pub) && any(vapply(t[[o]]$versions, function(v) isTRUE(v$from_run), TRUE))) {
      v <- published_figure(figures, pub$reference)
      own_trial <- list(id = t$id, year = as.numeric(pub$year), v = v)
      if (nrow(own))  # shown beside this run's (the chapter's published_run_trial)
        row(hr3(v$hr, v$lower, v$upper), "run_trial", variable = "version",
            variable_level = "published", conf_level = v$level, context = "published")
    }
  }
  if (nrow(pooled) >= 2) {
    fit <- meta_fit(pooled, method, hksj, conf)
    row(pooled_stats(fit, pooled, conf), "pooled", conf_level = conf)
    for (m in names(META_METHODS)) for (h in if (m == "FE") FALSE else c(FALSE, TRUE)) {
      label <- paste0(META_METHODS[[m]], if (h) ", HKSJ" else "")
      row(pooled_stats(meta_fit(pooled, m, h, conf), pooled, conf), "methods",
          variable = "method", variable_level = label, conf_level = conf,
          mid = paste0("rma_", m))
    }
    sub_rows <- function(key, extra, name, subset, year = NULL) {
      f <- meta_fit(subset, method, hksj, conf)
      row(hr3(exp(f$b[1]), exp(f$ci.lb), exp(f$ci.ub)), key, variable = extra,
          variable_level = name, conf_level = conf)
      row(c(list(tau2 = f$tau2, I2 = f$I2, k = f$k), if (!is.null(year)) list(year = year)),
          key, variable = extra, variable_level = name)
    }
    for (i in seq_len(nrow(pooled)))  # metafor leave1out, refitted one by one
      sub_rows("loo", "omitted", pooled$trial[i], pooled[-i, , drop = FALSE])
    for (i in seq_len(nrow(pooled)))  # metafor cumul, in year order (pooled is)
      sub_rows("cumulative", "added", pooled$trial[i], pooled[seq_len(i), , drop = FALSE],
               year = pooled$year[i])
    # the forest rows: pooled (weights of the chapter's model), then shown but not pooled
    z <- z_of(conf)
    w <- metafor::weights.rma.uni(fit)
    excluded <- table[!table$trial %in% pooled$trial, , drop = FALSE]
    shown <- rbind(cbind(pooled, weight = unname(w), reason = ""),
                   if (nrow(excluded)) cbind(excluded, weight = NA, reason = "uncertain"))
    if (!is.null(own_trial) && nrow(own)) {
      v <- own_trial$v
      shown <- rbind(shown, data.frame(
        trial = own_trial$id, version = "published", year = own_trial$year, hr = v$hr,
        lower = v$lower, upper = v$upper, ci_level = v$level, log_hr = log(v$hr),
        se = se_from_ci(v$lower, v$upper, v$level), uncertain = FALSE, from_run = FALSE,
        weight = NA, reason = "published value", stringsAsFactors = FALSE))
    }
    for (i in seq_len(nrow(shown))) {
      r <- shown[i, ]
      where <- list(variable = "trial", variable_level = r$trial, group2 = "version",
                    group2_level = r$version)
      do.call(row, c(list(c(hr3(exp(r$log_hr), exp(r$log_hr - z * r$se),
                                exp(r$log_hr + z * r$se)), list(weight = r$weight)),
                          "trials", conf_level = conf,
                          warning = if (is.na(r$weight)) paste0("not pooled: ", r$reason) else ""),
                     where))
      do.call(row, c(list(list(year = r$year), "trials"), where))
      do.call(row, c(list(list(ci.level = r$ci_level), "trials", conf_level = r$ci_level), where))
    }
  }
  if (is.null(run_est) && nrow(own) == 0) {
    for (t in trials$trials)
      if (any(vapply(t[[o]]$versions %||% list(), function(v) isTRUE(v$from_run), TRUE)))
        row(hr3(NA, NA, NA), "trials", conf_level = conf, variable = "trial",
            variable_level = t$id, group2 = "version", group2_level = "this_run",
            warning = "this run's hazard ratio is not estimable")
  }
  published_rows(row, o, trials, table, method, hksj, conf, hr3)
  version_rows(row, o, trials)
  if (o == "local_control") reported_rows(row, trials)
}

#' Published pooled estimates and this run's pooling of the trials each names (uncertain
#' versions included), also with the HRs of unclear direction inverted when the set holds one.
published_rows <- function(row, o, trials, table, method, hksj, conf, hr3) {
  for (m in trials$meta_analyses %||% list()) {
    est <- m[[o]]
    if (is.null(est)) next
    row(hr3(est$hr, est$ci[[1]], est$ci[[2]]), "published", variable = "meta_analysis",
        variable_level = m$id, conf_level = est$ci_level, context = "published",
        mid = "published")
    row(list(k = est$n_trials %||% NA), "published", variable = "meta_analysis",
        variable_level = m$id, context = "published", mid = "published")
    same <- table[table$trial %in% unlist(m$trials), , drop = FALSE]
    if (nrow(same) < 2) next
    f <- meta_fit(same, method, hksj, conf)
    row(hr3(exp(f$b[1]), exp(f$ci.lb), exp(f$ci.ub)), "same_trials", variable = "meta_analysis",
        variable_level = m$id, conf_level = conf, mid = paste0("rma_", method))
    invert <- paste(same$trial, same$version) %in% unclear_versions(trials, o)
    if (any(invert)) {
      flipped <- same
      flipped$log_hr <- ifelse(invert, -flipped$log_hr, flipped$log_hr)
      f <- meta_fit(flipped, method, hksj, conf)
      row(hr3(exp(f$b[1]), exp(f$ci.lb), exp(f$ci.ub)), "same_trials_inverted",
          variable = "meta_analysis", variable_level = m$id, conf_level = conf,
          mid = paste0("rma_", method))
    }
  }
}

#' Every published version's HR and year; 1 / HR of the versions of unclear direction.
version_rows <- function(row, o, trials) {
  for (t in trials$trials) {
    for (name in names(t[[o]]$versions %||% list())) {
      est <- t[[o]]$versions[[name]]
      if (is.null(est$hr)) next
      where <- list(variable = "trial", variable_level = t$id, group2 = "version",
                    group2_level = name)
      do.call(row, c(list(list(estimate = est$hr, year = est$year), "versions",
                          context = "published", mid = "published"), where))
      if (paste(t$id, name) %in% unclear_versions(trials, o))
        do.call(row, c(list(list(estimate = 1 / est$hr), "inverted", mid = "published"), where))
    }
  }
}

#' Local-control figures that are not a HR with a CI.
reported_rows <- function(row, trials) {
  for (t in trials$trials) for (item in t$local_control_reported %||% list()) {
    if (!is.null(item$hr)) {
      row(list(estimate = item$hr), "reported", variable = "trial", variable_level = t$id,
          context = "published", mid = "published")
    } else {
      for (arm in c("experimental", "control"))
        row(list(p = item[[arm]]), "reported", variable = "trial", variable_level = t$id,
            group1 = "arm", group1_level = arm, context = "published", mid = "published")
    }
  }
}
