# The trial design (chapter 09) from its formulas in base R (not the simulation): the planning
# assumptions of the study's published figures (study.reference, section design: medians of
# arms A and B in months, one-sided alpha, power, accrual and follow-up in years, stated
# hazard ratio, published deaths and patients), checked against run_record.json.
# - hazard ratio of the medians under exponential survival: median A / median B;
# - deaths: Schoenfeld 4 (z_{1-a} + z_{1-b})^2 / log(HR)^2, Freedman
#   ((1 + HR) / (1 - HR))^2 (z_{1-a} + z_{1-b})^2 (1:1), rounded to the nearest and up;
# - probability of death by the analysis under uniform accrual over A months and F months of
#   follow-up after it: 1 - (exp(-l F) - exp(-l (A + F))) / (l A), l = log 2 / median;
# - patients for the deaths ceil(D / mean p); planned: ceil(that / (1 - dropout)), made even,
#   with the chapter's stated (unpublished) allowance DROPOUT; implied 1 - patients / planned;
# - power with D deaths: Phi(sqrt(D / 4) (-log HR) - z_{1-a}).

DROPOUT <- 0.04  # the allowance for loss to follow-up the chapter assumes and prints (not published)

design_rows <- function(add, record, root, study, data, adsl, data_cut, cut) {
  s <- settings_of(record, "09_design")
  figures <- read_study_yaml(study, record, "reference", "published figures")
  if (is.null(figures)) return(invisible())
  design <- figures$design
  if (is.null(design)) return(invisible())
  value <- function(key) {
    v <- design[[key]]$value
    if (is.null(v)) qc_stop("published figures ", ref_file, ": design.", key, " has no value")
    as.numeric(v)
  }
  m_a <- value("assumed_median_os_arm_a_months"); m_b <- value("assumed_median_os_arm_b_months")
  alpha <- value("alpha_one_sided"); power <- value("power")
  accrual <- 12 * value("accrual_years"); follow_up <- 12 * value("follow_up_years")
  stated <- value("assumed_hazard_ratio")
  z <- qnorm(1 - alpha) + qnorm(power)
  schoenfeld <- function(hr) 4 * z^2 / log(hr)^2
  freedman <- function(hr) ((1 + hr) / (1 - hr))^2 * z^2
  nearest <- function(x) floor(x + 0.5)
  hr <- m_a / m_b
  p_event <- function(median) {
    l <- log(2) / median
    1 - (exp(-l * follow_up) - exp(-l * (accrual + follow_up))) / (l * accrual)
  }
  events <- nearest(schoenfeld(hr))
  p_a <- p_event(m_a); p_b <- p_event(m_b)
  for_events <- ceiling(events / ((p_a + p_b) / 2))
  planned <- ceiling(for_events / (1 - DROPOUT) - 1e-9)
  planned <- planned + planned %% 2
  row <- function(stats, analysis_id = "design.sample_size", method_id = "schoenfeld",
                  context = "design", ...)
    add(stats, analysis_id = analysis_id, notebook = "09_design", method_id = method_id,
        context = context, data_cut = cut, ...)
  row(list(median = m_a), variable = "median", variable_level = "A")
  row(list(median = m_b), variable = "median", variable_level = "B")
  row(list(hr = hr), variable = "medians")
  row(list(hr = stated), variable = "stated")
  row(list(alpha = alpha, events.exact = schoenfeld(hr), events = events,
           accrual = accrual / 12, follow_up = follow_up / 12))
  row(list(power = power), variable = "target")
  for (lev in c("A", "B", "mean"))
    row(list(p = c(A = p_a, B = p_b, mean = (p_a + p_b) / 2)[[lev]]), variable = "event",
        variable_level = lev)
  row(list(patients = for_events), variable = "for events")
  row(list(patients = planned), variable = "planned")
  row(list(p = DROPOUT), variable = "dropout")
  row(list(p = 1 - for_events / value("planned_randomised")), variable = "implied dropout")
  row(list(events = value("required_events"), patients = value("planned_randomised"),
           hr = stated), analysis_id = "design.published", method_id = "published",
      context = "published")
  for (f in c("schoenfeld", "freedman")) {
    sources <- list(hr, stated)
    names(sources) <- c(sprintf("medians %g vs %g", m_a, m_b), sprintf("stated HR %g", stated))
    for (src in names(sources)) {
      h <- sources[[src]]
      exact <- if (f == "schoenfeld") schoenfeld(h) else freedman(h)
      where <- list(analysis_id = "design.alternatives", variable = "formula",
                    variable_level = paste0(f, ", ", src))
      do.call(row, c(list(list(hr = h, events.exact = exact)), where))
      do.call(row, c(list(list(events = nearest(exact))), where,
                     list(group2 = "rounding", group2_level = "nearest")))
      do.call(row, c(list(list(events = ceiling(exact - 1e-9))), where,
                     list(group2 = "rounding", group2_level = "up")))
    }
  }
  power_of <- function(deaths) pnorm(sqrt(deaths / 4) * (-log(hr)) - qnorm(1 - alpha))
  d <- endpoint_data(data, adsl, study, s$endpoint, s$population, data_cut)
  cox <- cox_arm(d, s$strata, s$ties, s$primary_conf_level, tests = TRUE)
  pw <- list(analysis_id = "design.power", variable = "events")
  do.call(row, c(list(list(hr = hr)), pw))
  do.call(row, c(list(list(power = power_of(events))), pw, list(variable_level = "design")))
  do.call(row, c(list(list(events = cox$stats$n.event, power = power_of(cox$stats$n.event))),
                 pw, list(variable_level = "observed")))
  row(cox$stats, analysis_id = paste0("design.", s$endpoint, ".cox.primary"),
      method_id = paste0("coxph_", if (length(s$strata)) "strat_" else "", s$ties),
      context = "coxph", paramcd = s$endpoint, population = s$population,
      conf_level = s$primary_conf_level, group1 = "ARMCD", group1_level = "B vs A",
      variable = "ARMCD", warning = cox$warning)
}
