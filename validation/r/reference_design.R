# Reference values for helpers.design.sample_size (fixed-design sample size, events, power and analysis
# time of a two-arm survival trial), computed with R's rpact.
#   Rscript validation/r/reference_design.R tests/fixtures/r
# Writes tests/fixtures/r/rpact_sample_size.json and rpact_power.json (jsonlite, full
# precision, deterministic: rpact's fixed-design formulas involve no random numbers).
#
# rpact's group 1 is the experimental arm (median1, lambda1), group 2 the control;
# allocationRatioPlanned = n1 / n2; dropout: dropoutRate of each arm by dropoutTime months
# (exponential); uniform accrual over accrualTime = c(0, A) months, then followUpTime months.
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
dir.create(out, showWarnings = FALSE, recursive = TRUE)

write_fixture <- function(value, name) {
  path <- file.path(out, name)
  writeLines(toJSON(value, digits = NA, auto_unbox = TRUE, pretty = TRUE), path)
}

sample_size_cases <- list(
  list(name = "jcog1017_schoenfeld", median_control = 20, median_experimental = 26,
       alpha = 0.05, power = 0.80, sided = 1, accrual = 84, follow_up = 48,
       allocation_ratio = 1, dropout_rate = 0, dropout_time = 12, method = "Schoenfeld"),
  list(name = "jcog1017_freedman", median_control = 20, median_experimental = 26,
       alpha = 0.05, power = 0.80, sided = 1, accrual = 84, follow_up = 48,
       allocation_ratio = 1, dropout_rate = 0, dropout_time = 12, method = "Freedman"),
  list(name = "two_to_one_dropout", median_control = 20, median_experimental = 26,
       alpha = 0.025, power = 0.90, sided = 1, accrual = 36, follow_up = 24,
       allocation_ratio = 2, dropout_rate = 0.05, dropout_time = 12, method = "Schoenfeld"),
  list(name = "two_sided_short", median_control = 12, median_experimental = 18,
       alpha = 0.05, power = 0.90, sided = 2, accrual = 24, follow_up = 12,
       allocation_ratio = 1, dropout_rate = 0.10, dropout_time = 12, method = "Schoenfeld"),
  list(name = "freedman_one_to_two", median_control = 9, median_experimental = 15,
       alpha = 0.025, power = 0.85, sided = 1, accrual = 18, follow_up = 18,
       allocation_ratio = 0.5, dropout_rate = 0.02, dropout_time = 12, method = "Freedman")
)

sample_size <- lapply(sample_size_cases, function(cs) {
  design <- getDesignGroupSequential(kMax = 1, alpha = cs$alpha, beta = 1 - cs$power,
                                     sided = cs$sided)
  ss <- getSampleSizeSurvival(
    design, median1 = cs$median_experimental, median2 = cs$median_control,
    accrualTime = c(0, cs$accrual), followUpTime = cs$follow_up,
    allocationRatioPlanned = cs$allocation_ratio, dropoutRate1 = cs$dropout_rate,
    dropoutRate2 = cs$dropout_rate, dropoutTime = cs$dropout_time,
    typeOfComputation = cs$method)
  c(cs, list(hazard_ratio = ss$hazardRatio, events = ss$eventsFixed,
             patients = ss$nFixed, patients_experimental = ss$nFixed1,
             patients_control = ss$nFixed2, study_duration = ss$studyDuration))
})
write_fixture(sample_size, "rpact_sample_size.json")

power_cases <- list(
  list(name = "jcog1017_design", median_control = 20, median_experimental = 26, alpha = 0.05,
       sided = 1, accrual = 84, patients = 410, events = 359, allocation_ratio = 1,
       dropout_rate = 0, dropout_time = 12),
  list(name = "jcog1017_fewer_events", median_control = 20, median_experimental = 24,
       alpha = 0.05, sided = 1, accrual = 84, patients = 410, events = 300,
       allocation_ratio = 1, dropout_rate = 0.04, dropout_time = 12),
  list(name = "two_to_one", median_control = 12, median_experimental = 17, alpha = 0.025,
       sided = 1, accrual = 30, patients = 500, events = 250, allocation_ratio = 2,
       dropout_rate = 0.05, dropout_time = 12)
)

power <- lapply(power_cases, function(cs) {
  design <- getDesignGroupSequential(kMax = 1, alpha = cs$alpha, sided = cs$sided)
  pw <- getPowerSurvival(
    design, median1 = cs$median_experimental, median2 = cs$median_control,
    accrualTime = c(0, cs$accrual), maxNumberOfSubjects = cs$patients,
    maxNumberOfEvents = cs$events, allocationRatioPlanned = cs$allocation_ratio,
    dropoutRate1 = cs$dropout_rate, dropoutRate2 = cs$dropout_rate,
    dropoutTime = cs$dropout_time, directionUpper = FALSE)
  c(cs, list(hazard_ratio = pw$hazardRatio, power = pw$overallReject,
             analysis_time = pw$analysisTime[1]))
})
write_fixture(power, "rpact_power.json")
