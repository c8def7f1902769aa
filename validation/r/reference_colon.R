# Reference values for the example study studies/colon.yaml: R's survival package on the
# original survival::colon data (the CSV export colon_all), Lev+5FU vs Obs, times in months
# (days / 30.4375), stratified by node4, as the supplement's primary (OS, 90% CI) and
# secondary (recurrence, 95% CI) analyses. tests/test_study_colon.py compares the supplement
# run on the ADaM version of these data (validation/colon_adam.py) with these numbers.
#   Rscript validation/r/reference_colon.R tests/fixtures/r
# Writes tests/fixtures/r/colon_adam.json (jsonlite, full precision, deterministic).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
colon <- read.csv(file.path(out, "data", "colon_all.csv"), stringsAsFactors = FALSE)
colon <- subset(colon, rx %in% c("Obs", "Lev+5FU"))
colon$arm <- factor(ifelse(colon$rx == "Lev+5FU", "B", "A"), levels = c("A", "B"))
colon$months <- colon$time / 30.4375

endpoint <- function(etype, hr_level) {
  d <- colon[colon$etype == etype, ]
  fit <- coxph(Surv(months, status) ~ arm + strata(node4), data = d, ties = "efron")
  z <- qnorm(1 - (1 - hr_level) / 2)
  coef <- unname(coef(fit))
  se <- unname(sqrt(diag(vcov(fit))))
  lr <- survdiff(Surv(months, status) ~ arm + strata(node4), data = d)
  km <- survfit(Surv(months, status) ~ arm, data = d, conf.type = "log-log", conf.int = 0.95)
  tab <- summary(km)$table
  lm <- summary(km, times = c(36, 60))
  list(
    n = fit$n, events = fit$nevent,
    hr = exp(coef), lower = exp(coef - z * se), upper = exp(coef + z * se), se = se,
    logrank_chisq = lr$chisq, logrank_p = pchisq(lr$chisq, 1, lower.tail = FALSE),
    observed = unname(lr$obs), expected = unname(lr$exp),
    median = unname(tab[, "median"]), median_lower = unname(tab[, "0.95LCL"]),
    median_upper = unname(tab[, "0.95UCL"]),
    landmark_surv = lm$surv, landmark_lower = lm$lower, landmark_upper = lm$upper
  )
}

result <- list(OS = endpoint(2, 0.90), TTR = endpoint(1, 0.95),
               survival_version = as.character(packageVersion("survival")))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           file.path(out, "colon_adam.json"))
