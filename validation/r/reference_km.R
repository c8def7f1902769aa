# Reference values for helpers.survival's non-Cox half (km, logrank, followup, rmst),
# computed with R's survival package on the CSV exports of its public datasets (so that the
# Python tests read exactly the rows R analysed).
#   Rscript validation/r/reference_km.R tests/fixtures/r
# Writes tests/fixtures/r/km_<case>.json (jsonlite, full precision, deterministic).
#
# Per case and per conf.type ("log-log", "log", "plain") and conf.int (0.95; 0.90 for log-log):
#   survfit(Surv(time, event) ~ 1) per group and overall: every row of the fit (event and
#   censoring times), std.err of S (= summary()$std.err = surv * fit$std.err), the
#   summary(fit)$table median and its CI (survmean's rule), rmean / se(rmean) at tau,
#   summary(fit, times = landmarks) surv, std.err, lower, upper, n.risk;
#   survdiff(Surv(time, event) ~ group [+ strata(s)]) chisq, observed, expected, var;
#   reverse Kaplan-Meier survfit(Surv(time, 1 - event) ~ 1) median follow-up and its CI.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
data_dir <- file.path(out, "data")

conf_specs <- list(
  list(type = "log-log", level = 0.95),
  list(type = "log", level = 0.95),
  list(type = "plain", level = 0.95),
  list(type = "log-log", level = 0.90)
)
conf_key <- function(spec) sprintf("%s_%s", spec$type, format(spec$level))

km_one <- function(time, event, spec, landmarks, tau) {
  fit <- survfit(Surv(time, event) ~ 1, conf.type = spec$type, conf.int = spec$level)
  tab <- summary(fit, rmean = tau)$table
  lm <- summary(fit, times = landmarks)
  list(
    table = list(
      time = fit$time, n_risk = fit$n.risk, n_event = fit$n.event,
      n_censor = fit$n.censor, surv = fit$surv, std_err = fit$surv * fit$std.err,
      lower = fit$lower, upper = fit$upper
    ),
    n = unname(tab["records"]), events = unname(tab["events"]),
    median = unname(tab["median"]),
    median_lower = unname(tab[paste0(spec$level, "LCL")]),
    median_upper = unname(tab[paste0(spec$level, "UCL")]),
    rmean = unname(tab["rmean"]), se_rmean = unname(tab["se(rmean)"]),
    landmarks = list(
      time = lm$time, surv = lm$surv, std_err = lm$std.err,
      lower = lm$lower, upper = lm$upper, n_risk = lm$n.risk
    )
  )
}

survdiff_out <- function(fit) {
  obs <- fit$obs
  exp <- fit$exp
  if (is.matrix(obs)) {
    obs <- rowSums(obs)
    exp <- rowSums(exp)
  }
  df <- sum(exp > 0) - 1
  list(
    groups = sub("^group=", "", names(fit$n)),
    n = as.vector(fit$n), observed = as.vector(obs), expected = as.vector(exp),
    var = unname(fit$var), chisq = fit$chisq, df = df,
    p = pchisq(fit$chisq, df, lower.tail = FALSE)
  )
}

reference_case <- function(name, df, group, strata, landmarks, tau) {
  df$group <- df[[group]]
  groups <- sort(unique(df$group))
  res <- list(
    case = name, dataset = name, time = "time", event = "event",
    group = group, strata = strata, groups = as.character(groups),
    landmarks = landmarks, tau = tau, km = list(), overall = list(),
    followup = list()
  )
  for (spec in conf_specs) {
    key <- conf_key(spec)
    res$km[[key]] <- list()
    for (g in groups) {
      d <- df[df$group == g, ]
      res$km[[key]][[as.character(g)]] <- km_one(d$time, d$event, spec, landmarks, tau)
    }
    res$overall[[key]] <- km_one(df$time, df$event, spec, landmarks, tau)
    rev_fit <- survfit(Surv(time, 1 - event) ~ 1, data = df,
                       conf.type = spec$type, conf.int = spec$level)
    rt <- summary(rev_fit)$table
    res$followup[[key]] <- list(
      median = unname(rt["median"]),
      lower = unname(rt[paste0(spec$level, "LCL")]),
      upper = unname(rt[paste0(spec$level, "UCL")])
    )
  }
  res$logrank <- survdiff_out(survdiff(Surv(time, event) ~ group, data = df))
  ds <- df[!is.na(df[[strata]]), ]
  ds$stratum <- ds[[strata]]
  res$logrank_stratified <- survdiff_out(
    survdiff(Surv(time, event) ~ group + strata(stratum), data = ds))
  res$logrank_stratified$strata <- as.character(sort(unique(ds$stratum)))
  res$logrank_stratified$n_used <- nrow(ds)
  res
}

read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE)

cases <- list()
lung <- read("lung")
cases$lung <- reference_case("lung", lung, "sex", "ph.ecog",
                             landmarks = c(0, 100, 180, 365, 500, 730), tau = 365)
veteran <- read("veteran")
cases$veteran <- reference_case("veteran", veteran, "trt", "celltype",
                                landmarks = c(0, 30, 90, 180, 365), tau = 180)
# k > 2 groups: veteran by cell type (4 groups), stratified by treatment
cases$veteran_celltype <- reference_case("veteran", veteran, "celltype", "trt",
                                         landmarks = c(0, 30, 90, 180), tau = 180)
cases$veteran_celltype$case <- "veteran_celltype"
colon <- read("colon")
cases$colon <- reference_case("colon", colon, "rx", "extent",
                              landmarks = c(0, 365, 730, 1826, 2500), tau = 1826)
ovarian <- read("ovarian")
names(ovarian)[names(ovarian) == "futime"] <- "time"
cases$ovarian <- reference_case("ovarian", ovarian, "rx", "ecog.ps",
                                landmarks = c(0, 200, 400, 600), tau = 600)

# Constructed: survival hits exactly 0.5 (survmean takes the midpoint of the flat segment
# when the curve drops below 0.5 later, the first time it hits 0.5 otherwise).
flat <- list(
  midpoint = data.frame(time = c(1, 2, 3, 4), event = c(1, 1, 1, 1)),
  midpoint_censored = data.frame(time = c(1, 2, 3, 4, 5, 6), event = c(1, 1, 1, 0, 1, 0)),
  flat_to_end = data.frame(time = c(1, 2, 3, 4), event = c(1, 1, 0, 0)),
  # not a flat-median case: censoring before the first event, an event and a censoring tied
  censored_first = data.frame(time = c(0.5, 1, 2, 2, 3, 4), event = c(0, 1, 1, 0, 1, 0))
)
flat_out <- lapply(flat, function(d) {
  list(time = d$time, event = d$event, km = lapply(
    setNames(conf_specs, vapply(conf_specs, conf_key, "")),
    function(spec) km_one(d$time, d$event, spec, landmarks = c(0, 1.5), tau = 3.5)))
})

# summary(fit, times =, extend = TRUE) before the first time, between times, after the last
ext <- flat$censored_first
ext_fit <- survfit(Surv(time, event) ~ 1, data = ext, conf.type = "log-log")
ext_sum <- summary(ext_fit, times = c(0, 0.5, 0.7, 1, 2.5, 4, 10), extend = TRUE)
flat_out$censored_first$extend <- list(
  time = ext_sum$time, surv = ext_sum$surv, std_err = ext_sum$std.err,
  lower = ext_sum$lower, upper = ext_sum$upper, n_risk = ext_sum$n.risk
)

versions <- list(R = as.character(getRversion()),
                 survival = as.character(packageVersion("survival")))
flat_out$versions <- versions
for (name in names(cases)) {
  cases[[name]]$versions <- versions
  write_json(cases[[name]], file.path(out, paste0("km_", name, ".json")),
             digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
}
write_json(flat_out, file.path(out, "km_flat_median.json"),
           digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null")
