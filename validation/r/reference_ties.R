# Reference values for times that differ only by rounding error (R's aeqSurv, timefix = TRUE):
# months computed from integer days in two ways, days / 30.4375 and days * (1 / 30.4375), which
# differ in the last bit for many days. R merges such times in survfit, survdiff and coxph;
# helpers.survival's frame-level functions must give the same numbers.
#   Rscript validation/r/reference_ties.R tests/fixtures/r
# Writes tests/fixtures/r/ties.json (jsonlite, full precision, deterministic: fixed seed).
# The data are written as integer days plus the conversion of each row ("divide" or
# "multiply"): IEEE arithmetic gives Python the same bits (checked by the hex of every time).
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
dir.create(out, recursive = TRUE, showWarnings = FALSE)

set.seed(20241017)
n <- 240
days <- sample(c(91L, 182L, 365L, 548L, 730L, 1095L, 1461L, sample.int(1800L, 40L)), n,
               replace = TRUE)
conversion <- ifelse(runif(n) < 0.5, "divide", "multiply")
months <- function(d, how) ifelse(how == "divide", d / 30.4375, d * (1 / 30.4375))
d <- data.frame(
  days = days, conversion = conversion, time = months(days, conversion),
  event = as.integer(runif(n) < 0.65), arm = ifelse(runif(n) < 0.5, "A", "B"),
  stratum = ifelse(runif(n) < 0.4, "S1", "S2"), stringsAsFactors = FALSE
)
# landmarks and horizon in both conversions: each a rounding error from an observed time
landmark_days <- c(365L, 730L, 1095L)
landmarks <- sort(c(landmark_days / 30.4375, landmark_days * (1 / 30.4375)))
tau <- 1461L * (1 / 30.4375)

hex <- function(x) sprintf("%a", x)
merged <- aeqSurv(Surv(d$time, d$event))[, 1]
by_arm <- survfit(Surv(time, event) ~ arm, data = d, conf.type = "log-log")
lr <- survdiff(Surv(time, event) ~ arm + strata(stratum), data = d)
cx <- coxph(Surv(time, event) ~ I(as.integer(arm == "B")) + strata(stratum), data = d)
fu <- survfit(Surv(time, 1 - event) ~ 1, data = d, conf.type = "log-log")
res <- list(
  data = list(days = d$days, conversion = d$conversion, event = d$event, arm = d$arm,
              stratum = d$stratum, time_hex = hex(d$time)),
  landmark_days = landmark_days, landmarks_hex = hex(landmarks), tau_hex = hex(tau),
  n_distinct_raw = length(unique(d$time)), n_distinct_merged = length(unique(merged)),
  merged_hex = hex(merged),
  km_by_arm = lapply(split(seq_along(by_arm$time), rep(c("A", "B"), by_arm$strata)),
                     function(i) list(time = by_arm$time[i], n_risk = by_arm$n.risk[i],
                                      n_event = by_arm$n.event[i], surv = by_arm$surv[i])),
  landmark_surv_by_arm = {
    s <- summary(by_arm, times = landmarks)
    split(s$surv, as.character(s$strata))
  },
  median_by_arm = unname(summary(by_arm)$table[, "median"]),
  rmean_by_arm = unname(summary(by_arm, rmean = tau)$table[, "rmean"]),
  se_rmean_by_arm = unname(summary(by_arm, rmean = tau)$table[, "se(rmean)"]),
  logrank = list(chisq = lr$chisq, observed = unname(rowSums(lr$obs)),
                 expected = unname(rowSums(lr$exp))),
  cox = list(coef = unname(coef(cx)), se = unname(sqrt(diag(vcov(cx)))),
             loglik = cx$loglik, score = unname(cx$score)),
  follow_up = list(median = unname(summary(fu)$table["median"]),
                   lower = unname(summary(fu)$table["0.95LCL"]),
                   upper = unname(summary(fu)$table["0.95UCL"]))
)
writeLines(toJSON(res, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(out, "ties.json"))
