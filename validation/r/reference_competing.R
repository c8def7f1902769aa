# Reference values for helpers.survival's competing-risks functions (cumulative incidence, Gray's
# test, Fine-Gray), the landmark survival difference and the multivariable Cox term table, from
# R's cmprsk and survival packages.
#   Rscript validation/r/reference_competing.R tests/fixtures/r
# Writes tests/fixtures/r/competing.json (jsonlite, digits = NA: full precision; deterministic).
#
# Data sets (tests/test_survival_competing.py builds the same rows):
#  jcog1017  the bundled synthetic data (data/adtte.csv, data/adsl.csv), randomised patients
#            (ITTFL == "Y"). Competing risks of local relapse-free survival (PARAMCD LRFS),
#            the event type from the data's EVNTDESC as chapter 11 reads it
#            (studies/jcog1017.yaml competing_risks): cause 0 = LRFS censored (CNSR 1);
#            1 = "Local relapse or progression"; 2 = "Death". Checked here to agree with the
#            construction from OS (an LRFS event at the time of a death is a death). Times
#            in months. The chapter's analyses: cuminc by ARMCD at the landmarks 36 and 60,
#            Gray's test stratified by ER, HER2, METGR (the study's strata), crr per cause.
#  colon     survival::colon (the CSV export colon_all, all 929 patients): cause 1 =
#            recurrence if the recurrence record (etype 1) is an event, else 2 = death if the
#            death record (etype 2) is an event, else 0; time = the recurrence record's time
#            (days). Tied times of different causes occur (4 times). The chapter's analyses
#            (studies/colon.yaml: RFS of validation/colon_adam.py, Lev+5FU vs Obs, months =
#            days / 30.4375): `chapter` holds cuminc of the two arms at 36 and 60 months (in
#            days), Gray's test stratified by node4 and crr per cause on those two arms.
#  ties      60 rows made here (fixed seed) with times 1..8 only: many tied times of different
#            causes and censorings at failure times; the rows are written to the JSON.
#
# Conventions: cuminc + timepoints give the estimate and cmprsk's variance; the CI is the
# log(-log) one of cmprsk users, est ^ exp(-/+ z sqrt(var) / (est log est)); Gray's p is
# pchisq(stat, df, lower.tail = FALSE) (cuminc's 1 - pchisq is also written). crr: failcode
# = cause, cencode = 0, unrounded Wald p = 2 pnorm(-|coef / se|). Factor covariates are
# factor(x, levels = the configured order), first level the reference. Landmark difference:
# summary(survfit(Surv(time, event) ~ arm), times = t) surv and std.err, experimental -
# control, se = sqrt(se_A^2 + se_B^2), Wald CI and p.
suppressPackageStartupMessages({
  library(survival)
  library(cmprsk)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
root <- normalizePath(file.path(out, "..", "..", ".."))
z95 <- qnorm(0.975)

cif_ci <- function(est, var, z = z95) {
  half <- z * sqrt(var) / (est * log(est))
  list(lower = est^exp(-half), upper = est^exp(half))
}

cif_case <- function(d, group, times) {
  fit <- if (is.null(group)) cuminc(d$time, d$cause) else cuminc(d$time, d$cause, d[[group]])
  tp <- timepoints(fit, times)
  lapply(rownames(tp$est), function(nm) {
    parts <- strsplit(nm, " ")[[1]]
    est <- unname(tp$est[nm, ])
    var <- unname(tp$var[nm, ])
    ci <- cif_ci(est, var)
    list(group = if (is.null(group)) "all" else parts[1], cause = as.integer(parts[2]),
         time = times, estimate = est, variance = var, lower = ci$lower, upper = ci$upper)
  })
}

gray_case <- function(d, group, strata = NULL) {
  fit <- if (is.null(strata)) cuminc(d$time, d$cause, d[[group]]) else
    cuminc(d$time, d$cause, d[[group]], strata = interaction(d[, strata], drop = TRUE))
  tests <- fit$Tests
  list(group = group, strata = I(if (is.null(strata)) character(0) else strata), cause = as.integer(rownames(tests)),
       statistic = unname(tests[, "stat"]), df = unname(tests[, "df"]),
       p = pchisq(unname(tests[, "stat"]), unname(tests[, "df"]), lower.tail = FALSE),
       p_cmprsk = unname(tests[, "pv"]))
}

design <- function(d, covariates, levels) {
  terms <- character(0)
  for (v in covariates) {
    if (!is.null(levels[[v]])) d[[v]] <- factor(d[[v]], levels = levels[[v]])
    terms <- c(terms, v)
  }
  mf <- model.frame(as.formula(paste("~", paste(terms, collapse = " + "))), d,
                    na.action = na.pass)
  model.matrix(as.formula(paste("~", paste(terms, collapse = " + "))), mf)[, -1, drop = FALSE]
}

crr_case <- function(d, spec) {
  covs <- unlist(spec$covariates)
  d$arm01 <- as.numeric(d[[spec$arm]] == spec$experimental)
  used <- c("time", "cause", spec$arm, covs)
  d <- d[complete.cases(d[, used]), , drop = FALSE]
  x <- cbind(arm01 = d$arm01)
  if (length(covs)) x <- cbind(x, design(d, covs, spec$levels))
  fit <- crr(d$time, d$cause, x, failcode = spec$cause, cencode = 0)
  se <- sqrt(diag(fit$var))
  z <- unname(fit$coef / se)
  list(spec = spec, names = colnames(x), coef = unname(fit$coef), se = unname(se), z = z,
       p = 2 * pnorm(-abs(z)), hr = exp(unname(fit$coef)),
       lower = exp(unname(fit$coef) - z95 * se), upper = exp(unname(fit$coef) + z95 * se),
       loglik = fit$loglik, loglik_null = fit$loglik.null, converged = fit$converged,
       n = fit$n, events = sum(d$cause == spec$cause))
}

landmark_case <- function(d, spec) {
  d <- d[complete.cases(d[, c(spec$time, spec$event, spec$arm)]), ]
  f <- as.formula(sprintf("Surv(%s, %s) ~ %s", spec$time, spec$event, spec$arm))
  km <- survfit(f, data = d)
  s <- summary(km, times = spec$times)
  lab <- sub(".*=", "", as.character(s$strata))
  ctl <- lab == spec$control
  exp_ <- lab == spec$experimental
  diff <- s$surv[exp_] - s$surv[ctl]
  se <- sqrt(s$std.err[exp_]^2 + s$std.err[ctl]^2)
  list(spec = spec, time = s$time[ctl], surv_control = s$surv[ctl], se_control = s$std.err[ctl],
       surv_experimental = s$surv[exp_], se_experimental = s$std.err[exp_],
       n_risk_control = s$n.risk[ctl], n_risk_experimental = s$n.risk[exp_],
       difference = diff, se = se, lower = diff - z95 * se, upper = diff + z95 * se,
       p = 2 * pnorm(-abs(diff / se)))
}

cox_terms_case <- function(d, spec) {
  covs <- unlist(spec$covariates)
  for (v in names(spec$levels)) d[[v]] <- factor(d[[v]], levels = spec$levels[[v]])
  st <- if (length(spec$strata)) sprintf(" + strata(%s)", paste(unlist(spec$strata), collapse = ", ")) else ""
  f <- as.formula(sprintf("Surv(%s, %s) ~ %s%s", spec$time, spec$event,
                          paste(covs, collapse = " + "), st))
  fit <- coxph(f, data = d, ties = spec$ties)
  s <- summary(fit, conf.int = 0.95)
  list(spec = spec, names = names(coef(fit)), coef = unname(coef(fit)),
       se = unname(sqrt(diag(vcov(fit)))), hr = unname(s$conf.int[, 1]),
       lower = unname(s$conf.int[, 3]), upper = unname(s$conf.int[, 4]),
       z = unname(s$coefficients[, "z"]), p = unname(s$coefficients[, "Pr(>|z|)"]),
       n = fit$n, events = fit$nevent, loglik = fit$loglik)
}

# --- jcog1017: the bundled synthetic data ---
adsl <- read.csv(file.path(root, "data", "adsl.csv"), stringsAsFactors = FALSE)
adtte <- read.csv(file.path(root, "data", "adtte.csv"), stringsAsFactors = FALSE)
itt <- adsl[adsl$ITTFL == "Y", c("USUBJID", "ARMCD", "AGE", "ER", "HER2", "METGR", "SUBTYPE")]
lrfs <- adtte[adtte$PARAMCD == "LRFS", c("USUBJID", "AVAL", "CNSR")]
os <- adtte[adtte$PARAMCD == "OS", c("USUBJID", "AVAL", "CNSR")]
names(os)[2:3] <- c("OS_AVAL", "OS_CNSR")
jc <- merge(merge(itt, lrfs, by = "USUBJID"), os, by = "USUBJID")
jc$time <- jc$AVAL
lrfs_type <- adtte[adtte$PARAMCD == "LRFS", c("USUBJID", "EVNTDESC")]
jc <- merge(jc, lrfs_type, by = "USUBJID")
jc$cause <- ifelse(jc$CNSR == 1, 0L, ifelse(jc$EVNTDESC == "Death", 2L,
                   ifelse(jc$EVNTDESC == "Local relapse or progression", 1L, NA_integer_)))
stopifnot(!anyNA(jc$cause),
          identical(jc$cause, ifelse(jc$CNSR == 1, 0L,
                                     ifelse(jc$OS_CNSR == 0 & jc$AVAL == jc$OS_AVAL, 2L, 1L))))
jc$os_event <- 1L - jc$OS_CNSR
jcog_levels <- list(ER = c("Positive", "Negative"), METGR = c("Single organ", "Multiple organs"),
                    SUBTYPE = c("HR+/HER2-", "HR+/HER2+", "HR-/HER2+", "Triple negative"))
jcog <- list(
  cuminc = c(cif_case(jc, "ARMCD", c(6, 12, 24, 36, 60, 120)),
             cif_case(jc, NULL, c(12, 60))),
  gray = list(gray_case(jc, "ARMCD"), gray_case(jc, "ARMCD", c("ER", "HER2", "METGR"))),
  crr = list(
    crr_case(jc, list(id = "jcog_lr", arm = "ARMCD", experimental = "B", cause = 1L,
                      covariates = I(character(0)), levels = NULL)),
    crr_case(jc, list(id = "jcog_death", arm = "ARMCD", experimental = "B", cause = 2L,
                      covariates = I(character(0)), levels = NULL)),
    crr_case(jc, list(id = "jcog_lr_adjusted", arm = "ARMCD", experimental = "B", cause = 1L,
                      covariates = c("AGE", "ER", "METGR"), levels = jcog_levels[c("ER", "METGR")]))
  ),
  landmark = list(landmark_case(jc, list(time = "OS_AVAL", event = "os_event", arm = "ARMCD",
                                         control = "A", experimental = "B",
                                         times = c(12, 36, 60)))),
  cox_terms = list(
    cox_terms_case(jc, list(id = "jcog_os", time = "OS_AVAL", event = "os_event",
                            covariates = c("ARMCD", "AGE", "ER", "SUBTYPE"), strata = I(character(0)),
                            levels = c(list(ARMCD = c("A", "B")), jcog_levels[c("ER", "SUBTYPE")]),
                            ties = "efron")),
    cox_terms_case(jc, list(id = "jcog_os_strat_breslow", time = "OS_AVAL", event = "os_event",
                            covariates = c("ARMCD", "AGE", "METGR"), strata = "ER",
                            levels = c(list(ARMCD = c("A", "B")), jcog_levels["METGR"]),
                            ties = "breslow"))
  )
)

# --- colon: survival::colon, recurrence vs death ---
ca <- read.csv(file.path(out, "data", "colon_all.csv"), stringsAsFactors = FALSE)
rec <- ca[ca$etype == 1, ]
dth <- ca[ca$etype == 2, ]
stopifnot(identical(rec$id, dth$id))
co <- rec[, c("id", "rx", "sex", "age", "nodes", "differ", "node4")]
co$time <- rec$time
co$cause <- ifelse(rec$status == 1, 1L, ifelse(dth$status == 1, 2L, 0L))
co$death_time <- dth$time
co$death <- dth$status
co2 <- co[co$rx %in% c("Obs", "Lev+5FU"), ]
colon_levels <- list(rx = c("Obs", "Lev", "Lev+5FU"), differ = c(2, 1, 3))
days_per_month <- 30.4375  # helpers.config.study DAYS_PER_UNIT
colon <- list(
  chapter = list(
    landmarks_months = c(36, 60),
    cuminc = cif_case(co2, "rx", c(36, 60) * days_per_month),
    gray = gray_case(co2, "rx", "node4"),
    ties = sum(tapply(co$cause[co$cause > 0], co$time[co$cause > 0],
                      function(x) length(unique(x)) > 1))
  ),
  cuminc = cif_case(co, "rx", c(100, 365, 730, 1825, 3000)),
  gray = list(gray_case(co, "rx"), gray_case(co, "rx", "node4"), gray_case(co, "rx", c("node4", "sex")),
              gray_case(co2, "rx")),
  crr = list(
    crr_case(co2, list(id = "colon_recurrence", arm = "rx", experimental = "Lev+5FU", cause = 1L,
                       covariates = I(character(0)), levels = NULL)),
    crr_case(co2, list(id = "colon_death", arm = "rx", experimental = "Lev+5FU", cause = 2L,
                       covariates = I(character(0)), levels = NULL)),
    crr_case(co2, list(id = "colon_recurrence_adjusted", arm = "rx", experimental = "Lev+5FU",
                       cause = 1L, covariates = c("age", "sex", "differ", "nodes"),
                       levels = colon_levels["differ"]))
  ),
  landmark = list(landmark_case(co2, list(time = "death_time", event = "death", arm = "rx",
                                          control = "Obs", experimental = "Lev+5FU",
                                          times = c(365, 1095, 1826)))),
  cox_terms = list(
    cox_terms_case(co, list(id = "colon_death", time = "death_time", event = "death",
                            covariates = c("rx", "age", "sex", "differ", "nodes"),
                            strata = "node4", levels = colon_levels, ties = "efron"))
  )
)

# --- ties: many tied times of different causes ---
set.seed(20251017)
n <- 60
ti <- data.frame(time = sample(1:8, n, replace = TRUE),
                 cause = sample(0:2, n, replace = TRUE, prob = c(0.3, 0.4, 0.3)),
                 arm = sample(c("A", "B"), n, replace = TRUE),
                 stratum = sample(c("S1", "S2"), n, replace = TRUE),
                 x = round(rnorm(n), 2), stringsAsFactors = FALSE)
ties <- list(
  data = ti,
  cuminc = cif_case(ti, "arm", c(0.5, 1, 2.5, 4, 8)),
  gray = list(gray_case(ti, "arm"), gray_case(ti, "arm", "stratum")),
  crr = list(
    crr_case(ti, list(id = "ties_1", arm = "arm", experimental = "B", cause = 1L,
                      covariates = I(character(0)), levels = NULL)),
    crr_case(ti, list(id = "ties_2_x", arm = "arm", experimental = "B", cause = 2L,
                      covariates = "x", levels = NULL))
  )
)

result <- list(jcog1017 = jcog, colon = colon, ties = ties,
               cmprsk_version = as.character(packageVersion("cmprsk")),
               survival_version = as.character(packageVersion("survival")))
writeLines(toJSON(result, digits = NA, auto_unbox = TRUE, na = "null", pretty = TRUE, null = "null"),
           file.path(out, "competing.json"))
