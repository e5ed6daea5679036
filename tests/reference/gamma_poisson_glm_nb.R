# Golden numbers for tests/test_gamma_poisson.py: the gamma-Poisson (negative binomial) fit of
# the pumps by R's MASS::glm.nb. Run: Rscript tests/reference/gamma_poisson_glm_nb.R
# glm.nb's theta is the gamma's shape; exp(intercept) its mean shape / rate.
suppressPackageStartupMessages(library(MASS))
pumps <- read.csv(file.path("../shared/data", "pumps.csv"))
fit <- glm.nb(failures ~ 1 + offset(log(time_khours)), data = pumps,
              control = glm.control(epsilon = 1e-12, maxit = 100))
cat("MASS", as.character(packageVersion("MASS")), "\n")
cat(sprintf("pumps: shape = %.10f, mean = %.10f, logLik = %.10f\n", fit$theta,
            exp(coef(fit)[[1]]), as.numeric(logLik(fit))))
