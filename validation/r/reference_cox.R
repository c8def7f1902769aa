# Reference values for helpers.survival's Cox half (cox, subgroups, ph), computed with R's
# survival package on the CSV exports of its public datasets (the rows Python reads).
#   Rscript validation/r/reference_cox.R tests/fixtures/r
# Writes (jsonlite, digits = NA: full precision; deterministic):
#   cox_models.json    coxph(Surv(time, event) ~ arm01 + covariates + strata(...)), ties
#                      efron / breslow: coef, se, Wald CI, z, p, loglik, iter, fit$score
#                      (sctest), fit$wald.test, 2 diff(loglik) (logtest), unrounded; treatment tests given covariates
#                      (LR vs the model without arm; score at init = c(0, reduced coef)).
#   cox_zph.json       cox.zph(fit, transform = "km" / "rank" / "identity") tables.
#   cox_subgroups.json per subgroup level coxph(~ arm01 + strata) on the subset: n and events
#                      by arm, HR and Wald CI; interaction LR p from anova(coxph(~ arm01 *
#                      factor(subgroup) + strata)) (the last, arm:subgroup row).
# arm01 = 1 for the experimental level; character covariates are factors with sorted levels
# (first level the reference), as helpers.survival.cox.design_matrix.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/r"
data_dir <- file.path(out, "data")
read <- function(name) read.csv(file.path(data_dir, paste0(name, ".csv")), stringsAsFactors = FALSE)

prepare <- function(spec) {
  d <- read(spec$dataset)
  used <- c(spec$time, spec$event, spec$arm, unlist(spec$strata), unlist(spec$covariates),
            unlist(spec$subgroups))
  d <- d[complete.cases(d[, used]), , drop = FALSE]
  d$arm01 <- as.numeric(d[[spec$arm]] == spec$experimental)
  for (v in unlist(spec$covariates)) {
    if (is.character(d[[v]])) d[[v]] <- factor(d[[v]], levels = sort(unique(d[[v]]), method = "radix"))
  }
  d$.time <- d[[spec$time]]
  d$.event <- d[[spec$event]]
  d
}

rhs <- function(spec, terms) {
  s <- if (length(spec$strata)) sprintf("strata(%s)", paste(unlist(spec$strata), collapse = ", ")) else NULL
  paste(c(terms, s), collapse = " + ")
}

fit_model <- function(d, spec, terms, ...) {
  f <- as.formula(paste("Surv(.time, .event) ~", rhs(spec, terms)))
  coxph(f, data = d, ties = spec$ties, ...)
}

test3 <- function(stat, df) list(statistic = unname(stat), df = unname(df), p = pchisq(unname(stat), df, lower.tail = FALSE))

cox_case <- function(spec) {
  d <- prepare(spec)
  covs <- unlist(spec$covariates)
  warns <- character(0)
  fit <- withCallingHandlers(fit_model(d, spec, c("arm01", covs)), warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  s <- summary(fit, conf.int = spec$conf_level)
  se <- sqrt(diag(fit$var))
  res <- list(
    spec = spec,
    names = names(coef(fit)), coef = unname(coef(fit)), se = se,
    hr = unname(s$conf.int[, "exp(coef)"]),
    lower = unname(s$conf.int[, 3]), upper = unname(s$conf.int[, 4]),
    z = unname(s$coefficients[, "z"]), p = unname(s$coefficients[, "Pr(>|z|)"]),
    loglik = fit$loglik, iter = fit$iter, n = fit$n, events = fit$nevent,
    warnings = I(warns),
    # unrounded statistics (summary() rounds them to 2 decimals)
    wald_test = test3(fit$wald.test, length(coef(fit))),
    score_test = test3(fit$score, length(coef(fit))),
    lr_test = test3(2 * (fit$loglik[2] - fit$loglik[1]), length(coef(fit)))
  )
  if (length(covs)) {
    red <- fit_model(d, spec, covs)
    at0 <- fit_model(d, spec, c("arm01", covs), init = c(0, coef(red)), iter.max = 0)
    res$treatment_lr <- test3(2 * (fit$loglik[2] - red$loglik[2]), 1)
    res$treatment_score <- test3(at0$score, 1)
  }
  zph <- list()
  for (tr in c("km", "rank", "identity")) {
    z <- cox.zph(fit, transform = tr)
    zph[[tr]] <- list(terms = rownames(z$table), chisq = unname(z$table[, "chisq"]),
                      df = unname(z$table[, "df"]), p = unname(z$table[, "p"]))
  }
  list(cox = res, zph = list(spec = spec, tables = zph))
}

subgroup_case <- function(spec) {
  d <- prepare(spec)
  rows <- list()
  inter <- list()
  for (v in unlist(spec$subgroups)) {
    levs <- sort(unique(d[[v]]), method = "radix")
    for (lv in levs) {
      dl <- d[d[[v]] == lv, ]
      fit <- fit_model(dl, spec, "arm01")
      ci <- summary(fit, conf.int = spec$conf_level)$conf.int
      rows[[length(rows) + 1]] <- list(
        variable = v, level = as.character(lv),
        n_control = sum(dl$arm01 == 0), n_experimental = sum(dl$arm01 == 1),
        events_control = sum(dl$.event[dl$arm01 == 0]),
        events_experimental = sum(dl$.event[dl$arm01 == 1]),
        hr = unname(ci[1, 1]), lower = unname(ci[1, 3]), upper = unname(ci[1, 4])
      )
    }
    d$.sub <- factor(as.character(d[[v]]), levels = as.character(levs))
    full <- fit_model(d, spec, "arm01 * .sub")
    a <- anova(full)
    inter[[v]] <- list(chisq = a[nrow(a), "Chisq"], df = a[nrow(a), "Df"],
                       p = a[nrow(a), "Pr(>|Chi|)"])
  }
  list(spec = spec, rows = rows, interaction = inter)
}

spec <- function(id, dataset, arm, experimental, strata = list(), covariates = list(),
                 ties = "efron", conf_level = 0.95, time = "time", event = "event",
                 subgroups = list()) {
  list(id = id, dataset = dataset, time = time, event = event, arm = arm,
       experimental = experimental, strata = strata, covariates = covariates, ties = ties,
       conf_level = conf_level, subgroups = subgroups)
}

cox_specs <- list(
  spec("lung_strat_efron", "lung", "sex", 2, list("ph.ecog"), list("age")),
  spec("lung_strat_breslow", "lung", "sex", 2, list("ph.ecog"), list("age"), ties = "breslow"),
  spec("lung_unstrat_90", "lung", "sex", 2, list(), list("age", "ph.karno", "wt.loss"), conf_level = 0.90),
  spec("veteran_strat_efron", "veteran", "trt", 2, list("celltype"), list("karno")),
  spec("veteran_strat_breslow", "veteran", "trt", 2, list("celltype"), list("karno"), ties = "breslow"),
  spec("veteran_factor", "veteran", "trt", 2, list(), list("celltype", "karno")),
  spec("colon_strat_efron", "colon", "rx", "Lev+5FU", list("extent"), list("age", "nodes")),
  spec("colon_strat_breslow", "colon", "rx", "Lev+5FU", list("extent"), list("age", "nodes"), ties = "breslow"),
  spec("colon_arm_only", "colon", "rx", "Lev+5FU", list("extent")),
  spec("colon_two_strata", "colon", "rx", "Lev+5FU", list("extent", "sex"), list("age")),
  spec("lung_monotone", "lung", "long_censored", 1, list(), list("age")),
  spec("ovarian_90", "ovarian", "rx", 2, list(), list("age"), conf_level = 0.90,
       time = "futime", event = "event")
)

sub_specs <- list(
  spec("colon_strat", "colon", "rx", "Lev+5FU", list("extent"),
       subgroups = list("sex", "obstruct", "node4")),
  spec("veteran_unstrat", "veteran", "trt", 2, subgroups = list("celltype", "prior")),
  spec("lung_strat_90", "lung", "sex", 2, list("ph.ecog"), conf_level = 0.90,
       subgroups = list("inst_high"))
)

write <- function(x, name) {
  writeLines(toJSON(x, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null",
                    na = "null"), file.path(out, name))
}

# lung subgroup "inst_high": institution number above 10 (a derived two-level subgroup);
# "long_censored": 1 only for patients censored after day 600, so its coefficient is
# infinite (monotone likelihood: R warns "coefficient may be infinite")
read_orig <- read
read <- function(name) {
  d <- read_orig(name)
  if (name == "lung") d$inst_high <- ifelse(is.na(d$inst), NA, as.integer(d$inst > 10))
  if (name == "lung") d$long_censored <- as.integer(d$event == 0 & d$time > 600)
  d
}

cases <- lapply(cox_specs, cox_case)
write(lapply(cases, `[[`, "cox"), "cox_models.json")
write(lapply(cases, `[[`, "zph"), "cox_zph.json")

write(lapply(sub_specs, subgroup_case), "cox_subgroups.json")
