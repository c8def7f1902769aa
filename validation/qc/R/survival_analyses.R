# Time-to-event analyses from their definitions, with R's survival package:
# Kaplan-Meier (survfit; median and its CI by survival's quantile.survfit, landmark rates by
# summary.survfit with the Greenwood standard error of S(t)), Cox (coxph; Wald CI and p),
# log-rank (survdiff; one-sided p = Phi(z), z = (O - E) / sqrt(V) of the experimental arm, so
# small when arm B has fewer events than expected), reverse Kaplan-Meier follow-up and the
# restricted mean survival time (survfit's rmean with its standard error; difference B - A
# with the normal CI and two-sided p).

library(survival)

z_of <- function(conf_level) qnorm(1 - (1 - conf_level) / 2)

km_conf_type <- function(x) switch(x, "log-log" = "log-log", log = "log", plain = "plain",
                                   qc_stop("km_conf_type ", x, " is not log-log, log or plain"))

complete_rows <- function(d, columns) {
  keep <- stats::complete.cases(d[, unique(c("time", "event", "arm", columns)), drop = FALSE])
  d[keep, , drop = FALSE]
}

backquote <- function(x) if (length(x)) paste0("`", x, "`") else character()

surv_formula <- function(rhs, strata) {
  terms <- rhs
  if (length(strata)) terms <- c(terms, sprintf("strata(%s)", paste(backquote(strata), collapse = ", ")))
  stats::as.formula(paste("Surv(time, event) ~", paste(terms, collapse = " + ")))
}

#' Covariates as the model uses them: numeric when every value is a number, else factors.
model_frame <- function(d, columns) {
  for (col in columns) {
    values <- d[[col]]
    d[[col]] <- if (all(!is.na(num(values[!is.na(values)])))) num(values) else factor(values)
  }
  d
}

#' The arm's hazard ratio (B vs A) of a Cox model; NA with a warning when not estimable.
#' With `tests`, also the model's score and likelihood-ratio p (summary.coxph's sctest and
#' logtest) and the patients left out for a missing value (n.excluded); with `one_sided`, the
#' one-sided Wald p of a benefit of B (pnorm(b / se)).
cox_arm <- function(d, strata = character(), ties = "efron", conf_level = 0.95,
                    covariates = character(), tests = FALSE, one_sided = FALSE) {
  n_in <- nrow(d)
  d <- complete_rows(d, c(strata, covariates))
  d <- model_frame(d, covariates)
  events <- tapply(d$event, d$arm, sum)
  base <- list(n = nrow(d), n.event = sum(d$event))
  extra <- function(fit = NULL, b = NA, se = NA) {
    out <- list()
    if (tests) {
      out <- c(if (is.null(fit)) list(p.value.score = NA, p.value.lr = NA) else arm_tests(fit, d),
               list(n.excluded = n_in - nrow(d)))
    }
    if (one_sided) out$p.value.one.sided <- pnorm(b / se)
    out
  }
  empty <- c(base, list(estimate = NA, std.error = NA, conf.low = NA, conf.high = NA,
                        p.value = NA), extra())
  if (any(is.na(events)) || any(events == 0))
    return(list(stats = empty, warning = "not estimable: an arm has no events"))
  problem <- ""
  fit <- withCallingHandlers(
    coxph(surv_formula(c("arm", backquote(covariates)), strata), data = d, ties = ties),
    warning = function(w) { problem <<- conditionMessage(w); invokeRestart("muffleWarning") })
  if (nzchar(problem))
    return(list(stats = empty, warning = paste("not estimable:", problem)))
  b <- unname(coef(fit)["armB"])
  se <- unname(sqrt(diag(vcov(fit)))[names(coef(fit)) == "armB"])
  z <- z_of(conf_level)
  arm_tests <- function(fit, d) {
    # the arm's own score and likelihood-ratio tests: with covariates, against the model of
    # the covariates alone (score at arm = 0 and the covariates' restricted estimates)
    if (!length(covariates)) {
      sm <- summary(fit)
      return(list(p.value.score = unname(sm$sctest["pvalue"]),
                  p.value.lr = unname(sm$logtest["pvalue"])))
    }
    formula <- surv_formula(c("arm", backquote(covariates)), strata)
    reduced <- coxph(surv_formula(backquote(covariates), strata), data = d, ties = ties)
    init <- stats::setNames(rep(0, length(coef(fit))), names(coef(fit)))
    init[names(coef(reduced))] <- coef(reduced)
    at0 <- coxph(formula, data = d, ties = ties, init = init,
                 control = coxph.control(iter.max = 0))
    list(p.value.score = pchisq(at0$score, 1, lower.tail = FALSE),
         p.value.lr = pchisq(2 * (fit$loglik[2] - reduced$loglik[2]), 1, lower.tail = FALSE))
  }
  list(stats = c(list(estimate = exp(b), std.error = se, conf.low = exp(b - z * se),
                      conf.high = exp(b + z * se), p.value = 2 * pnorm(-abs(b / se))), base,
                 extra(fit, b, se)),
       warning = "")
}

#' Kaplan-Meier of one group: n, events, median with CI, landmarks (missing after the last
#' follow-up unless the curve reached 0 before).
km_group <- function(time, event, conf_type, conf_level, landmarks) {
  fit <- survfit(Surv(time, event) ~ 1, conf.type = km_conf_type(conf_type),
                 conf.int = conf_level)
  q <- quantile(fit, probs = 0.5, conf.int = TRUE)
  median <- list(estimate = unname(q$quantile[1]), conf.low = unname(q$lower[1]),
                 conf.high = unname(q$upper[1]))
  median_warning <- if (is.na(median$estimate)) "median not reached" else
    if (is.na(median$conf.high)) "upper confidence limit not reached" else ""
  marks <- lapply(landmarks, function(t) {
    if (t > max(time) && utils::tail(fit$surv, 1) > 0) {
      return(list(stats = list(estimate = NA, conf.low = NA, conf.high = NA, std.error = NA,
                               n.risk = 0), warning = "landmark after the last follow-up"))
    }
    s <- summary(fit, times = t, extend = TRUE)
    list(stats = list(estimate = s$surv, conf.low = s$lower, conf.high = s$upper,
                      std.error = s$std.err, n.risk = s$n.risk),
         warning = if (s$surv == 0) "survival 0: no confidence interval" else "")
  })
  list(n = length(time), n.event = sum(event), median = median,
       median_warning = median_warning, landmarks = marks)
}

#' Log-rank (stratified when strata are given): chi-square, df, two- and one-sided p.
logrank_arm <- function(d, strata = character()) {
  d <- complete_rows(d, strata)
  sd <- survdiff(surv_formula("arm", strata), data = d)
  b <- which(levels(d$arm) == "B")
  observed <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  expected <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  z <- (observed[b] - expected[b]) / sqrt(sd$var[b, b])
  list(statistic = sd$chisq, df = length(sd$n) - 1,
       p.value = pchisq(sd$chisq, df = length(sd$n) - 1, lower.tail = FALSE),
       p.value.one.sided = pnorm(z))
}

#' Median follow-up: the median observed time of all patients and the reverse Kaplan-Meier
#' median (censorings as events) with its CI.
followup <- function(d, conf_type, conf_level) {
  fit <- survfit(Surv(time, 1 - event) ~ 1, data = d, conf.type = km_conf_type(conf_type),
                 conf.int = conf_level)
  q <- quantile(fit, probs = 0.5, conf.int = TRUE)
  list(n = nrow(d), median = stats::median(d$time), estimate = unname(q$quantile[1]),
       conf.low = unname(q$lower[1]), conf.high = unname(q$upper[1]))
}

#' Restricted mean survival time up to tau per arm and the difference B - A.
rmst_arms <- function(d, tau, conf_level) {
  z <- z_of(conf_level)
  per_arm <- lapply(c("A", "B"), function(a) {
    x <- d[d$arm == a, ]
    tab <- summary(survfit(Surv(time, event) ~ 1, data = x), rmean = tau)$table
    est <- unname(tab["rmean"]); se <- unname(tab["se(rmean)"])
    list(n = nrow(x), estimate = est, std.error = se, conf.low = est - z * se,
         conf.high = est + z * se)
  })
  names(per_arm) <- c("A", "B")
  diff <- per_arm$B$estimate - per_arm$A$estimate
  se <- sqrt(per_arm$A$std.error^2 + per_arm$B$std.error^2)
  per_arm[["B vs A"]] <- list(estimate = diff, std.error = se, conf.low = diff - z * se,
                              conf.high = diff + z * se, p.value = 2 * pnorm(-abs(diff / se)))
  per_arm
}

#' Interaction likelihood-ratio test of arm x subgroup (models with and without the
#' interaction, both with the subgroup's main effect).
interaction_p <- function(d, variable, strata, ties) {
  d <- complete_rows(d, c(strata, variable))
  d$QC_SUB <- factor(d[[variable]])
  main <- coxph(surv_formula(c("arm", "QC_SUB"), strata), data = d, ties = ties)
  full <- coxph(surv_formula(c("arm * QC_SUB"), strata), data = d, ties = ties)
  df <- sum(!is.na(coef(full))) - sum(!is.na(coef(main)))
  stat <- 2 * (full$loglik[2] - main$loglik[2])
  pchisq(stat, df = df, lower.tail = FALSE)
}
