# Reference values for helpers.meta (pooling, leave-one-out, cumulative), computed with R's
# metafor on the trial sets of tests/fixtures/r/meta_trials.json (written by
# tests/meta_cases.py from studies/jcog1017/trials.yaml; hand-made sets beside them).
#   Rscript validation/r/reference_meta.R tests/fixtures/r [input.json]
# Writes meta_reference.json (jsonlite, digits = NA: full precision; deterministic).
#
# Per trial set: yi = log(hr), sei = (log(upper) - log(lower)) / (2 qnorm(1 - (1 - level)/2));
# per method (FE, DL, REML, PM) and test ("z", and for random effects "knha" =
# Hartung-Knapp-Sidik-Jonkman):
#   rma(yi, sei = sei, method, test): b, se, zval, pval, ci.lb, ci.ub, tau2, I2, H2, QE, QEp;
#   predict(): pi.lb, pi.ub; weights() (percent); leave1out() and cumul() (rows already in publication-year order).
# Per set, REML (z and knha) again at level = 90: CI, prediction interval, Q-profile CI.
# Per set: confint() of a REML fit, Q-profile CI of tau^2 and I^2 (the same for every method).
# (tau2.max raised from 100: with k = 2 the upper bound can exceed it.) Convergence tolerances are tightened (threshold, tol 1e-12; metafor's defaults are 1e-5 and
# eps^0.25) so that estimates agree to 1e-6 and do not depend on the algorithm's stopping rule.
suppressPackageStartupMessages({
  library(metafor)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/fixtures/r"
input <- if (length(args) >= 2) args[2] else "tests/fixtures/r/meta_trials.json"
cases <- fromJSON(input, simplifyVector = TRUE)
ctrl <- list(threshold = 1e-12, tol = 1e-12, maxiter = 1000, stepadj = 0.5)

num <- function(x) unname(as.numeric(x))

fit_values <- function(fit) {
  pr <- predict(fit)
  list(estimate = num(fit$b), se = num(fit$se), statistic = num(fit$zval), p = num(fit$pval),
       lower = num(fit$ci.lb), upper = num(fit$ci.ub), tau2 = num(fit$tau2), i2 = num(fit$I2),
       h2 = num(fit$H2), q = num(fit$QE), q_p = num(fit$QEp),
       pi_lower = num(pr$pi.lb), pi_upper = num(pr$pi.ub), weights = num(weights(fit)))
}

series <- function(x, labels) {  # FE fits have no tau2 column: it is 0
  list(labels = labels, estimate = num(x$estimate), se = num(x$se), p = num(x$pval),
       lower = num(x$ci.lb), upper = num(x$ci.ub), q = num(x$Q), q_p = num(x$Qp),
       tau2 = if (is.null(x$tau2)) rep(0, length(x$estimate)) else num(x$tau2), i2 = num(x$I2), h2 = num(x$H2))
}

result <- list()
for (name in names(cases)) {
  d <- cases[[name]]
  yi <- log(d$hr)
  sei <- (log(d$upper) - log(d$lower)) / (2 * qnorm(1 - (1 - d$ci_level) / 2))
  fits <- list()
  for (method in c("FE", "DL", "REML", "PM")) {
    for (test in if (method == "FE") "z" else c("z", "knha")) {  # metafor: HKSJ is for RE models
      fit <- rma(yi, sei = sei, method = method, test = test, control = ctrl)
      v <- fit_values(fit)
      v$leave_one_out <- series(leave1out(fit), d$trial)
      v$cumulative <- series(cumul(fit), d$trial)
      fits[[paste(method, test, sep = "_")]] <- v
    }
  }
  # at level 90: CI, prediction interval and Q-profile CI (the level is a run parameter)
  level_90 <- list()
  for (test in c("z", "knha")) {
    fit <- rma(yi, sei = sei, method = "REML", test = test, level = 90, control = ctrl)
    level_90[[paste("REML", test, sep = "_")]] <- fit_values(fit)
  }
  ci90 <- confint(rma(yi, sei = sei, method = "REML", level = 90, control = ctrl),
                  control = list(tol = 1e-12, maxiter = 1000, tau2.max = 1e6))$random
  level_90$q_profile <- list(tau2_lower = num(ci90["tau^2", "ci.lb"]), tau2_upper = num(ci90["tau^2", "ci.ub"]),
                             i2_lower = num(ci90["I^2(%)", "ci.lb"]), i2_upper = num(ci90["I^2(%)", "ci.ub"]))
  reml <- rma(yi, sei = sei, method = "REML", control = ctrl)
  ci <- confint(reml, control = list(tol = 1e-12, maxiter = 1000, tau2.max = 1e6))$random
  result[[name]] <- list(
    trials = d$trial, yi = yi, sei = sei, fits = fits, level_90 = level_90,
    q_profile = list(tau2_lower = num(ci["tau^2", "ci.lb"]), tau2_upper = num(ci["tau^2", "ci.ub"]),
                     i2_lower = num(ci["I^2(%)", "ci.lb"]), i2_upper = num(ci["I^2(%)", "ci.ub"]))
  )
}
result$versions <- list(R = paste(R.version$major, R.version$minor, sep = "."),
                        metafor = as.character(packageVersion("metafor")))
writeLines(toJSON(result, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           file.path(out, "meta_reference.json"))
