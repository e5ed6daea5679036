# Golden numbers for tests/test_binomial.py and tests/test_poisson.py: the logit-normal and
# log-normal populations fitted by lme4.
# Run: Rscript tests/reference/link_normal_lme4.R   (Debian: apt-get install r-cran-lme4)
# glmer(cbind(y, n - y) ~ 1 + (1 | group), family = binomial, nAGQ = 25). With nAGQ > 1 lme4's
# logLik is the log-likelihood less that of the saturated model (each p_j = y_j / n_j), so
# the test compares it with fit_logit_normal's log_likelihood less the same.
suppressPackageStartupMessages(library(lme4))
data_dir <- "../shared/data"
rats <- read.csv(file.path(data_dir, "rat_tumors.csv"))
surgical <- read.csv(file.path(data_dir, "surgical.csv"))
batting <- read.csv(file.path(data_dir, "efron_morris_1975.csv"))
cases <- list(
  rats = list(y = rats$tumors, n = rats$rats),
  surgical = list(y = surgical$deaths, n = surgical$operations),
  efron_morris = list(y = batting$hits_45, n = rep(45, nrow(batting)))
)
cat("lme4", as.character(packageVersion("lme4")), "\n")
for (name in names(cases)) {
  d <- data.frame(y = cases[[name]]$y, n = cases[[name]]$n, g = factor(seq_along(cases[[name]]$y)))
  fit <- glmer(cbind(y, n - y) ~ 1 + (1 | g), data = d, family = binomial, nAGQ = 25)
  cat(sprintf("%s: mu = %.10f, tau = %.10f, logLik = %.10f, se = %.10f\n", name,
              fixef(fit)[[1]], sqrt(VarCorr(fit)$g[1]), as.numeric(logLik(fit)),
              sqrt(vcov(fit)[1, 1])))
}
pumps <- read.csv(file.path(data_dir, "pumps.csv"))
d <- data.frame(x = pumps$failures, t = pumps$time_khours, g = factor(seq_len(nrow(pumps))))
fit <- glmer(x ~ 1 + offset(log(t)) + (1 | g), data = d, family = poisson, nAGQ = 25)
cat(sprintf("pumps: mu = %.10f, tau = %.10f, logLik = %.10f, se = %.10f\n", fixef(fit)[[1]],
            sqrt(VarCorr(fit)$g[1]), as.numeric(logLik(fit)), sqrt(vcov(fit)[1, 1])))
