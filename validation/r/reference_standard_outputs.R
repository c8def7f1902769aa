# Reference values for the standard outputs of chapter 12 (issue 21): quantiles of the
# Kaplan-Meier time with their CIs (TTET01), landmark rate differences with the Greenwood
# variance of the difference (TTET01, tern's s_surv_timepoint_diff) and the multivariable Cox
# model of the study configuration's covariates (COXT02), from R's survival package.
#   Rscript validation/r/reference_standard_outputs.R tests/fixtures/r
# Writes tests/fixtures/r/standard_outputs.json (jsonlite, digits = NA: full precision).
#
# Data sets (tests/test_standard_outputs.py builds the same rows):
#  jcog1017  the bundled synthetic data (data/adsl.csv, data/adtte.csv), randomised patients
#            (ITTFL == "Y"), endpoints OS and LRFS (months); covariates of
#            studies/jcog1017.yaml with its level orders (ECOG, a 0/1 code, as a factor).
#  colon     survival::colon (tests/fixtures/r/data/colon_all.csv), death records (etype 2),
#            days; the colon study's arms Obs (control) and Lev+5FU; covariates of
#            studies/colon.yaml as validation/colon_adam.py codes them.
# Conventions: survfit(conf.type = "log-log"); quantile(fit, probs = c(.25, .5, .75)) with its
# lower/upper; summary(fit, times = t) surv and std.err per arm, difference experimental -
# control, se = sqrt(se_A^2 + se_B^2), Wald CI at 95% and two-sided p; coxph with Efron ties,
# factor(x, levels = configured order), Wald CI at 95%, p from summary()$coefficients.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
root <- normalizePath(file.path(out, "..", "..", ".."))
z95 <- qnorm(0.975)

quantile_case <- function(d, arm) {
  fit <- survfit(Surv(time, event) ~ d[[arm]], data = d, conf.type = "log-log")
  q <- quantile(fit, probs = c(0.25, 0.5, 0.75))
  groups <- sub(".*=", "", rownames(q$quantile))
  lapply(seq_along(groups), function(i) list(
    group = groups[i], prob = c(0.25, 0.5, 0.75), estimate = unname(q$quantile[i, ]),
    lower = unname(q$lower[i, ]), upper = unname(q$upper[i, ]),
    min = min(d$time[d[[arm]] == groups[i]]), max = max(d$time[d[[arm]] == groups[i]])))
}

landmark_case <- function(d, arm, control, experimental, times) {
  fit <- survfit(Surv(time, event) ~ d[[arm]], data = d, conf.type = "log-log")
  s <- summary(fit, times = times)
  lab <- sub(".*=", "", as.character(s$strata))
  ctl <- lab == control
  ex <- lab == experimental
  diff <- s$surv[ex] - s$surv[ctl]
  se <- sqrt(s$std.err[ex]^2 + s$std.err[ctl]^2)
  list(time = s$time[ctl], surv_control = s$surv[ctl], lower_control = s$lower[ctl],
       upper_control = s$upper[ctl], surv_experimental = s$surv[ex],
       lower_experimental = s$lower[ex], upper_experimental = s$upper[ex],
       n_risk_control = s$n.risk[ctl], n_risk_experimental = s$n.risk[ex],
       difference = diff, se = se, lower = diff - z95 * se, upper = diff + z95 * se,
       p = 2 * pnorm(-abs(diff / se)))
}

cox_case <- function(d, covariates, levels) {
  for (v in names(levels)) d[[v]] <- factor(d[[v]], levels = levels[[v]])
  f <- as.formula(paste("Surv(time, event) ~", paste(covariates, collapse = " + ")))
  fit <- coxph(f, data = d, ties = "efron")
  s <- summary(fit)$coefficients
  list(names = rownames(s), coef = unname(s[, "coef"]), se = unname(s[, "se(coef)"]),
       hr = unname(s[, "exp(coef)"]), lower = unname(exp(s[, "coef"] - z95 * s[, "se(coef)"])),
       upper = unname(exp(s[, "coef"] + z95 * s[, "se(coef)"])), p = unname(s[, "Pr(>|z|)"]),
       n = fit$n, events = fit$nevent)
}

# --- jcog1017 ---
adsl <- read.csv(file.path(root, "data", "adsl.csv"), stringsAsFactors = FALSE)
adtte <- read.csv(file.path(root, "data", "adtte.csv"), stringsAsFactors = FALSE)
itt <- adsl[adsl$ITTFL == "Y", ]
jcog_levels <- list(ARMCD = c("A", "B"), MENOPAUS = c("Premenopausal", "Postmenopausal"),
                    SUBTYPE = c("HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "Triple negative"),
                    METGR = c("Single organ", "Multiple organs"), ECOG = c("0", "1"),
                    TSTAGE = c("T1", "T2", "T3", "T4"))
jcog <- list()
for (p in c("OS", "LRFS")) {
  d <- merge(itt, adtte[adtte$PARAMCD == p, c("USUBJID", "AVAL", "CNSR")], by = "USUBJID")
  d$time <- d$AVAL
  d$event <- 1L - d$CNSR
  d$ECOG <- as.character(d$ECOG)
  jcog[[p]] <- list(
    quantiles = quantile_case(d, "ARMCD"),
    landmark = landmark_case(d, "ARMCD", "A", "B", c(36, 60)),
    cox = cox_case(d, c("ARMCD", "AGE", "MENOPAUS", "SUBTYPE", "METGR", "ECOG", "TSTAGE"),
                   jcog_levels))
}

# --- colon: deaths, Obs vs Lev+5FU ---
ca <- read.csv(file.path(out, "data", "colon_all.csv"), stringsAsFactors = FALSE)
co <- ca[ca$etype == 2 & ca$rx %in% c("Obs", "Lev+5FU"), ]
co$event <- co$status
co$AGE <- co$age
co$SEX <- ifelse(co$sex == 1, "M", "F")
co$OBSTRFL <- ifelse(co$obstruct == 1, "Y", "N")
co$EXTENT <- c("Submucosa", "Muscle", "Serosa", "Contiguous structures")[co$extent]
co$ARM <- co$rx
colon_levels <- list(ARM = c("Obs", "Lev+5FU"), SEX = c("F", "M"),
                     EXTENT = c("Submucosa", "Muscle", "Serosa", "Contiguous structures"))
colon <- list(OS = list(
  quantiles = quantile_case(co, "ARM"),
  landmark = landmark_case(co, "ARM", "Obs", "Lev+5FU", c(365, 1095, 1826)),
  cox = cox_case(co, c("ARM", "AGE", "SEX", "OBSTRFL", "EXTENT"), colon_levels)))

result <- list(jcog1017 = jcog, colon = colon,
               survival_version = as.character(packageVersion("survival")))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE),
           file.path(out, "standard_outputs.json"))
