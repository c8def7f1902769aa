# Counts and summaries: CONSORT flow, analysis sets, Table 1, binary outcomes (Fisher's exact
# test), adverse events by worst grade. Percentages are proportions 0-1 (stat "p").
# Continuous summaries as {cards}: N (non-missing), N_miss, mean, sd (n - 1), median, p25 and
# p75 (quantile type 2, as cards and SAS), min, max.

arm_sets <- function(d) list(A = d[d$QC_ARM %in% "A", , drop = FALSE],
                             B = d[d$QC_ARM %in% "B", , drop = FALSE],
                             Total = d)

flow_rows <- function(add, adsl, study, cut) {
  common <- list(analysis_id = "flow", notebook = "01_population", method_id = "count",
                 context = "flow", population = "all", data_cut = cut)
  call <- function(...) do.call(add, c(list(...), common))
  call(list(n = nrow(adsl)), variable = "registered")
  call(list(n = sum(!adsl$QC_RANDOMISED)), variable = "not_randomised")
  if ("NRANDRS" %in% names(adsl)) {
    reasons <- table(adsl$NRANDRS[!adsl$QC_RANDOMISED])
    for (r in names(reasons)) call(list(n = reasons[[r]]), variable = "not_randomised",
                                   variable_level = r)
  }
  call(list(n = sum(adsl$QC_RANDOMISED)), variable = "randomised")
  for (a in c("A", "B")) call(list(n = sum(adsl$QC_ARM %in% a)), variable = "randomised",
                              group1 = "ARMCD", group1_level = a)
  others <- table(adsl$QC_OTHERARM)
  for (o in names(others)) call(list(n = others[[o]]), variable = "excluded_arm",
                                variable_level = o)
}

population_rows <- function(add, adsl, study, cut) {
  randomised <- adsl[!is.na(adsl$QC_ARM), , drop = FALSE]
  for (flag in unique(unlist(study$populations))) {
    if (!flag %in% names(adsl)) next
    for (g in names(sets <- arm_sets(randomised))) {
      x <- sets[[g]]
      n <- sum(x[[flag]] %in% "Y")
      add(list(n = n, N = nrow(x), p = if (nrow(x)) n / nrow(x) else NA),
          analysis_id = "populations", notebook = "01_population", method_id = "count",
          context = "tabulate", population = flag, data_cut = cut, group1 = "ARMCD",
          group1_level = g, variable = flag, variable_level = "Y")
    }
  }
}

quantile2 <- function(x, p) unname(stats::quantile(x, p, type = 2))

baseline_rows <- function(add, pop, study, population, cut) {
  for (item in study$baseline %||% list()) {
    var <- item$variable
    if (!var %in% names(pop)) next
    type <- item$type %||% "categorical"
    sets <- arm_sets(pop)
    for (g in names(sets)) {
      values <- sets[[g]][[var]]
      common <- list(analysis_id = paste0("baseline.", var), notebook = "02_baseline",
                     population = population, data_cut = cut, group1 = "ARMCD",
                     group1_level = g, variable = var)
      if (type == "continuous") {
        x <- num(values)
        ok <- x[!is.na(x)]
        stats <- list(N = length(ok), N_miss = sum(is.na(x)),
                      mean = if (length(ok)) mean(ok) else NA,
                      sd = if (length(ok) > 1) stats::sd(ok) else NA,
                      median = if (length(ok)) stats::median(ok) else NA,
                      p25 = if (length(ok)) quantile2(ok, 0.25) else NA,
                      p75 = if (length(ok)) quantile2(ok, 0.75) else NA,
                      min = if (length(ok)) min(ok) else NA, max = if (length(ok)) max(ok) else NA)
        do.call(add, c(list(stats), common, list(method_id = "summary", context = "summary")))
      } else {
        observed <- values[!is.na(values)]
        levels <- if (type == "flag") "Y" else
          unique(c(config_levels(item), sort(unique(observed))))
        for (lev in levels) {
          n <- sum(observed == lev)
          do.call(add, c(list(list(n = n, N = length(observed),
                                   p = if (length(observed)) n / length(observed) else NA)),
                         common, list(method_id = "count", context = "tabulate",
                                      variable_level = lev)))
        }
        missing <- sum(is.na(values))
        if (missing > 0)  # a categorical variable with a missing value: its Missing row
          do.call(add, c(list(list(N_miss = missing)), common,
                         list(method_id = "count", context = "tabulate", variable_level = "")))
      }
    }
  }
}

proportion_rows <- function(add, pop, study, population, cut) {
  for (item in study$proportions %||% list()) {
    var <- item$variable
    if (!var %in% names(pop)) next
    common <- list(analysis_id = paste0("proportion.", var), notebook = "04_lrfs",
                   method_id = "fisher", context = "fisher", population = population,
                   data_cut = cut, group1 = "ARMCD", variable = var)
    counts <- list()
    for (a in c("A", "B")) {
      v <- pop[[var]][pop$QC_ARM %in% a]
      v <- v[!is.na(v)]
      counts[[a]] <- c(sum(v == "Y"), length(v))
      do.call(add, c(list(list(n = sum(v == "Y"), N = length(v),
                               p = if (length(v)) sum(v == "Y") / length(v) else NA)),
                     common, list(group1_level = a, variable_level = "Y")))
    }
    tab <- rbind(c(counts$A[1], counts$A[2] - counts$A[1]), c(counts$B[1], counts$B[2] - counts$B[1]))
    do.call(add, c(list(list(p.value = stats::fisher.test(tab)$p.value)), common,
                   list(group1_level = "B vs A")))
  }
}

GRADE_GROUPS <- c("1-2", "3", "4", "5")
grade_group <- function(g) ifelse(g <= 2, "1-2", as.character(g))

safety_rows <- function(add, adsl, adae, study, cut) {
  flag <- study$populations$safety
  if (is.null(flag) || !flag %in% names(adsl) || is.null(adae)) return(invisible())
  safety <- adsl[adsl[[flag]] %in% "Y" & !is.na(adsl$QC_ARM), , drop = FALSE]
  ae <- adae[adae$USUBJID %in% safety$USUBJID, , drop = FALSE]
  ae$QC_ARM <- safety$QC_ARM[match(ae$USUBJID, safety$USUBJID)]
  ae$grade <- num(ae$AETOXGR)
  if (nzchar(cut) && "ASTDY" %in% names(ae) && "RANDDT" %in% names(safety)) {
    onset <- as_day(safety$RANDDT[match(ae$USUBJID, safety$USUBJID)]) + num(ae$ASTDY)
    ae <- ae[!(!is.na(onset) & onset > as.numeric(as.Date(cut))), , drop = FALSE]
  }
  for (a in c("A", "B")) {
    N <- sum(safety$QC_ARM == a)
    x <- ae[ae$QC_ARM == a, , drop = FALSE]
    common <- list(notebook = "06_safety", method_id = "count", context = "tabulate",
                   population = flag, data_cut = cut, group1 = "ARMCD", group1_level = a)
    patients <- list(any_ae = unique(x$USUBJID),
                     grade3plus_ae = unique(x$USUBJID[x$grade >= 3]),
                     grade5_ae = unique(x$USUBJID[x$grade == 5]))
    if ("AESER" %in% names(x)) patients$serious_ae <- unique(x$USUBJID[x$AESER %in% "Y"])
    for (v in names(patients)) {
      n <- length(patients[[v]])
      do.call(add, c(list(list(n = n, N = N, p = if (N) n / N else NA)), common,
                     list(analysis_id = "safety.ae_patients", variable = v)))
    }
    terms <- c("", sort(unique(ae$AEDECOD)))
    for (term in terms) {
      y <- if (nzchar(term)) x[x$AEDECOD %in% term, , drop = FALSE] else x
      worst <- if (nrow(y)) tapply(y$grade, y$USUBJID, max) else numeric()
      for (gg in GRADE_GROUPS) {
        n <- sum(grade_group(worst) == gg)
        do.call(add, c(list(list(n = n, N = N, p = if (N) n / N else NA)), common,
                       list(analysis_id = "safety.ae_worst_grade",
                            group2 = if (nzchar(term)) "AEDECOD" else "",
                            group2_level = term, variable = "AETOXGR", variable_level = gg)))
      }
    }
  }
}
