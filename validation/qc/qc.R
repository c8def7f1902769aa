#!/usr/bin/env Rscript
# Independent QC program ("double programming") of a complete run: derives the analysis data
# from the ADaM files the run read (checked against run_record.json's SHA-256) and the run's
# resolved parameters, recomputes the statistics with base R, survival, cmprsk and metafor, and writes
# them as analysis results data (docs/ard.md) to RUN/qc/qc_ard.csv.
#
#   Rscript validation/qc/qc.R --params params/default.yaml     (RUN = its output_dir)
#   Rscript validation/qc/qc.R --run runs/default [--out DIR]
#
# Reads: RUN/run_record.json and the data files and study files it names (configuration,
# trial table, published figures; nothing else of the run). Shares no code with helpers/.
# Not covered: the simulation (09), reproduction (10), the PH test and the analyses
# validation/qc/README.md lists. A study with several comparisons: --params QCs each
# comparison's run. Exit status 2 when QC refuses the run (incomplete, changed inputs).

qc_dir <- local({
  arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  dirname(normalizePath(sub("^--file=", "", arg[1])))
})
source(file.path(qc_dir, "R", "packages.R"))
require_packages(c(survival = "r-cran-survival", jsonlite = "r-cran-jsonlite",
                   yaml = "r-cran-yaml", cmprsk = "r-cran-cmprsk", metafor = "r-cran-metafor"))
for (f in c("ard.R", "record.R", "data.R", "survival_analyses.R", "descriptive.R", "meta.R",
           "competing.R", "design.R",
           "standard.R"))
  source(file.path(qc_dir, "R", f))
source(file.path(qc_dir, "R", "cli.R"))

main <- function() {
  root <- repo_root(qc_dir)
  args <- parse_args(commandArgs(TRUE), root)
  for_each_run(args, function(run) {
    record <- read_run_record(run)
    out_dir <- args$out %||% file.path(run, "qc")
    ard <- compute_qc_ard(record, root)
    dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
    utils::write.csv(ard, file.path(out_dir, "qc_ard.csv"), row.names = FALSE, na = "")
    message(sprintf("QC: %d statistics of %d analyses -> %s", nrow(ard),
                    length(unique(ard$analysis_id)), file.path(out_dir, "qc_ard.csv")))
    0L
  })
}

settings_of <- function(record, notebook) {
  p <- notebook_params(record, notebook)
  p$strata <- unlist(p$strata) %||% character()
  p$subgroups <- unlist(p$subgroups) %||% character()
  # `landmarks` (older runs: `landmarks_months`) in the study's display unit
  p$landmarks_months <- unlist(p$landmarks %||% p$landmarks_months)
  p
}

endpoint_rows <- function(add, d, paramcd, notebook, s, cut, compare, primary) {
  pop <- s$population
  conf_type <- s$km_conf_type
  common <- list(notebook = notebook, paramcd = paramcd, population = pop, data_cut = cut)
  call <- function(...) do.call(add, c(list(...), common))
  km_method <- paste0("km_", gsub("-", "", conf_type))
  for (a in c("A", "B")) {
    x <- d[d$arm == a, ]
    km <- km_group(x$time, x$event, conf_type, s$conf_level, s$landmarks_months)
    g <- list(analysis_id = paste0(paramcd, ".km"), method_id = km_method, context = "survfit",
              group1 = "ARMCD", group1_level = a, conf_level = s$conf_level)
    do.call(call, c(list(list(n = km$n, n.event = km$n.event)), g))
    do.call(call, c(list(km$median), g, list(variable = "prob", variable_level = "0.5",
                                             warning = km$median_warning)))
    for (i in seq_along(km$landmarks)) {
      do.call(call, c(list(km$landmarks[[i]]$stats), g,
                      list(variable = "time", variable_level = s$landmarks_months[i],
                           warning = km$landmarks[[i]]$warning)))
    }
  }
  fu <- followup(d, conf_type, s$conf_level)
  call(list(n = fu$n), analysis_id = paste0(paramcd, ".followup"),
       method_id = "followup_reverse_km", context = "followup", conf_level = s$conf_level)
  call(list(median = fu$median), analysis_id = paste0(paramcd, ".followup"),
       method_id = "followup_reverse_km", context = "followup", variable = "time")
  call(fu[c("estimate", "conf.low", "conf.high")], analysis_id = paste0(paramcd, ".followup"),
       method_id = "followup_reverse_km", context = "followup", variable = "prob",
       variable_level = "0.5", conf_level = s$conf_level,
       warning = if (is.na(fu$estimate)) "median not reached" else
         if (is.na(fu$conf.high)) "upper confidence limit not reached" else "")
  if (!compare) return(invisible())
  cl <- if (primary) s$primary_conf_level else s$conf_level
  cox <- cox_arm(d, s$strata, s$ties, cl, tests = TRUE)
  method <- paste0("coxph_", if (length(s$strata)) "strat_" else "", s$ties)
  call(cox$stats, analysis_id = paste0(paramcd, ".cox.primary"), method_id = method,
       context = "coxph", conf_level = cl, group1 = "ARMCD", group1_level = "B vs A",
       variable = "ARMCD", warning = cox$warning)
  lr <- logrank_arm(d, s$strata)
  call(lr, analysis_id = paste0(paramcd, ".logrank"),
       method_id = if (length(s$strata)) "logrank_strat" else "logrank", context = "survdiff",
       group1 = "ARMCD", group1_level = "B vs A", variable = "ARMCD")
}

sensitivity_rows <- function(add, data, adsl, study, paramcd, s, cut) {
  d <- endpoint_data(data, adsl, study, paramcd, s$population, s$data_cut)
  cl <- s$primary_conf_level
  one <- function(analysis_id, fit, method, population = s$population) {
    add(fit$stats, analysis_id = analysis_id, notebook = "07_sensitivity", method_id = method,
        context = "coxph", paramcd = paramcd, population = population, data_cut = cut,
        conf_level = cl, group1 = "ARMCD", group1_level = "B vs A", variable = "ARMCD",
        warning = fit$warning)
  }
  one(paste0(paramcd, ".cox.unstratified"), cox_arm(d, character(), s$ties, cl, tests = TRUE),
      paste0("coxph_", s$ties))
  strat <- if (length(s$strata)) "strat_" else ""
  one(paste0(paramcd, ".cox.breslow"), cox_arm(d, s$strata, "breslow", cl, tests = TRUE),
      paste0("coxph_", strat, "breslow"))
  covariates <- intersect(unlist(study$covariates), names(d))
  if (length(covariates))
    one(paste0(paramcd, ".cox.adjusted"), cox_arm(d, character(), s$ties, cl, covariates,
                                                     tests = TRUE, one_sided = TRUE),
        paste0("coxph_", s$ties))
  pp <- study$populations$per_protocol
  if (!is.null(pp) && pp %in% names(adsl) && pp != s$population) {
    dpp <- endpoint_data(data, adsl, study, paramcd, pp, s$data_cut)
    one(paste0(paramcd, ".cox.per_protocol"), cox_arm(dpp, s$strata, s$ties, cl, tests = TRUE),
        paste0("coxph_", strat, s$ties), population = pp)
  }
  tau <- s$rmst_horizon %||% study$rmst_horizon %||% max(s$landmarks_months)
  rm <- rmst_arms(d, tau, s$conf_level)
  for (g in names(rm))
    add(rm[[g]], analysis_id = paste0(paramcd, ".rmst"), notebook = "07_sensitivity",
        method_id = "rmst", context = "rmst", paramcd = paramcd, population = s$population,
        data_cut = cut, conf_level = s$conf_level, group1 = "ARMCD", group1_level = g,
        variable = "time", variable_level = tau)
  add(list(tau = tau), analysis_id = paste0(paramcd, ".rmst"), notebook = "07_sensitivity",
      method_id = "rmst", context = "rmst", paramcd = paramcd, population = s$population,
      data_cut = cut, variable = "time", variable_level = tau)
}

subgroup_rows <- function(add, d, study, s, cut) {
  for (var in s$subgroups) {
    if (!var %in% names(d)) next
    config <- Filter(function(x) identical(x$variable, var), study$subgroups %||% list())
    levels <- if (length(config) && !is.null(config[[1]]$levels))
      config_levels(config[[1]]) else sort(unique(d[[var]][!is.na(d[[var]])]))
    if (length(config) && identical(config[[1]]$type, "flag")) levels <- c("Y", "N")
    common <- list(analysis_id = paste0("subgroup.", var), notebook = "05_subgroups",
                   method_id = paste0("coxph_", if (length(s$strata)) "strat_" else "", s$ties),
                   context = "coxph", paramcd = s$endpoint, population = s$population,
                   data_cut = cut, group2 = var, variable = "ARMCD")
    for (lev in levels) {
      x <- d[!is.na(d[[var]]) & d[[var]] == lev, , drop = FALSE]
      for (a in c("A", "B")) {
        xa <- x[x$arm == a, ]
        do.call(add, c(list(list(n = nrow(xa), n.event = sum(xa$event))), common,
                       list(group1 = "ARMCD", group1_level = a, group2_level = lev)))
      }
      fit <- cox_arm(x, s$strata, s$ties, s$conf_level)
      do.call(add, c(list(fit$stats), common,
                     list(group1 = "ARMCD", group1_level = "B vs A", group2_level = lev,
                          conf_level = s$conf_level, warning = fit$warning)))
    }
    do.call(add, c(list(list(p.value.interaction = interaction_p(d, var, s$strata, s$ties))),
                   common, list(group1 = "ARMCD", group1_level = "B vs A")))
  }
}

compute_qc_ard <- function(record, root) {
  study_param <- shared_param(record, "study") %||% "studies/jcog1017.yaml"
  # a study with several comparisons runs each into a run of its own: this run's pair
  study <- study_for_comparison(load_study(record, root, study_param),
                                shared_param(record, "comparison"))
  data <- load_data(record, root)
  data_cut <- shared_param(record, "data_cut")
  cut <- data_cut %||% ""
  adsl <- derive_adsl(data$adsl, study, data_cut)
  collector <- ard_collector()
  add <- collector$add
  has <- function(nb) !is.null(record$notebooks[[nb]])

  if (has("01_population")) {
    flow_rows(add, adsl, study, cut)
    population_rows(add, adsl, study, cut)
  }
  if (has("02_baseline")) {
    s <- settings_of(record, "02_baseline")
    pop <- adsl[adsl[[s$population]] %in% "Y" & !is.na(adsl$QC_ARM), , drop = FALSE]
    baseline_rows(add, pop, study, s$population, cut)
  }
  if (has("03_overall_survival")) {
    s <- settings_of(record, "03_overall_survival")
    d <- endpoint_data(data, adsl, study, s$endpoint, s$population, data_cut)
    if (!is.null(d)) endpoint_rows(add, d, s$endpoint, "03_overall_survival", s, cut,
                                   compare = TRUE, primary = TRUE)
  }
  if (has("04_lrfs")) {
    s <- settings_of(record, "04_lrfs")
    for (ep in study$endpoints$secondary %||% list()) {
      if (identical(ep$paramcd, s$endpoint)) next
      d <- endpoint_data(data, adsl, study, ep$paramcd, s$population, data_cut)
      if (is.null(d)) next
      endpoint_rows(add, d, ep$paramcd, "04_lrfs", s, cut,
                    compare = !identical(ep$compare, FALSE), primary = FALSE)
    }
    pop <- adsl[adsl[[s$population]] %in% "Y" & !is.na(adsl$QC_ARM), , drop = FALSE]
    proportion_rows(add, pop, study, s$population, cut)
  }
  if (has("05_subgroups")) {
    s <- settings_of(record, "05_subgroups")
    d <- endpoint_data(data, adsl, study, s$endpoint, s$population, data_cut)
    if (!is.null(d)) subgroup_rows(add, d, study, s, cut)
  }
  if (has("06_safety")) safety_rows(add, adsl, data$adae, study, cut)
  if (has("08_meta_analysis"))
    meta_rows(add, record, root, study, data, adsl, data_cut, cut)
  if (has("09_design"))
    design_rows(add, record, root, study, data, adsl, data_cut, cut)
  if (has("12_standard_outputs"))
    standard_rows(add, record, study, data, adsl, data_cut, cut)
  if (has("11_competing_risks"))
    competing_rows(add, data, adsl, study, record, data_cut, cut)
  if (has("07_sensitivity")) {
    s <- settings_of(record, "07_sensitivity")
    sensitivity_rows(add, data, adsl, study, s$endpoint, s, cut)
  }
  collector$result()
}

main()
