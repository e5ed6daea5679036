# Golden numbers for tests/test_tau2.py::test_global_maximum_matches_metafor.
# Run: Rscript tests/reference/multimodal_tau2.R   (Debian: apt-get install r-cran-metafor)
# Two data sets from issue 14 whose (restricted) profile likelihood has two local maxima.
# metafor's rma() is started at several tau^2 values and the fit with the largest logLik kept.
suppressPackageStartupMessages(library(metafor))
best_fit <- function(yi, vi, method) {
  fits <- lapply(c(0.001, 0.1, 1, 10, 100, 1000), function(start) {
    tryCatch(rma(yi, vi, method = method,
                 control = list(tau2.init = start, threshold = 1e-12, maxiter = 10000)),
             error = function(e) NULL)
  })
  fits <- Filter(Negate(is.null), fits)
  ll <- sapply(fits, function(f) as.numeric(logLik(f)))
  fits[[which.max(ll)]]
}
cases <- list(
  list(y = c(-5, 40), v = c(1e-3, 10), method = "ML"),
  list(y = c(2.909317280639638, -7.284171908377065, 2.220317060173029),
       v = c(0.029875542117436326, 12.762049685985758, 0.003010637342049125), method = "REML")
)
packageVersion("metafor")
for (case in cases) {
  fit <- best_fit(case$y, case$v, case$method)
  cat(sprintf("%s tau2 = %.10g  mu = %.10g  logLik = %.10g\n", case$method, fit$tau2,
              as.numeric(fit$beta), as.numeric(logLik(fit))))
}
