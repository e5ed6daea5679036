"""The Guide tab: what to look for in the figure and the other tabs, as Markdown."""

GUIDE = """
#### Start here
Drag the **tau slider** and watch the green circles: at tau = 0 they all sit on the dashed
grand mean (complete pooling), at the right end on the blue &times; (no pooling). Then press **Fit
tau from data** and read the **MSE table**: which estimate came closest to the truth?

**The figure**, one row per group: grey dots, the group's observations (grey bars y_j ± 1.96
se_j for data that give only an estimate and its standard error); **&times;** its mean ybar_j, the
no-pooling estimate; **○** the partial-pooling estimate theta_hat_j at the slider's tau; **▲**
the true theta_j (simulated data); dashed line, the grand mean. Under the slider, **◆** marks the
fitted tau_hat and **▲** the true tau. Hover over a row for its numbers; click a legend entry to
hide its glyph.

**Your own data**: choose "Your CSV file" under Data in the sidebar (☰) and drop a file with
raw observations (`group,value`), estimates (`group,estimate,se`, `study,yi,vi`),
`group,mean,sd,n` or counts (`group,successes,trials`, `group,count,exposure`), and optionally
`truth`. Common names (school, effect, deaths, operations, ...) are recognised, and the note
under the menu says which columns were read; if they cannot be told apart, pick them. The
`partialpool` command reads the same files, Parquet too, of any size.

**Counts** (rat tumours, surgical deaths, pumps, batting averages, simulated counts): the rows
are rates y_j / n_j with each group's own 95% interval, pooled under a binomial (or Poisson)
model with a normal population on the logit (or log) scale, where tau lives.

**Notation**: ybar_j (or y_j) is group j's estimate and se_j its standard error, se_j² =
sigma² / n_j for n_j observations of within-group sd sigma; tau is the sd of the true means
theta_j around mu.

#### What to look for
1. **Every green circle sits between its blue x and the population mean.** Partial pooling
   is a compromise: theta_hat_j = ybar_j + B_j (mu_hat - ybar_j). mu_hat weighs each group by
   1 / (se_j² + tau²); at tau = 0 it is the dashed grand mean, and it stays close to it.
2. **Small groups are pulled harder.** B_j = se_j² / (se_j² + tau²) is large when n_j is
   small, so a noisy mean of 2 observations moves far, a mean of 40 barely moves. Sort by
   group size to see it.
3. **tau is the dial between the two extremes.** Drag it to 0 and every circle collapses onto
   the grand mean (complete pooling); drag it up and they settle on the blue x's (no pooling).
4. **The data can choose tau.** "Fit tau from data" sets tau to its empirical-Bayes estimate;
   there the circles are usually closer to the gold triangles (the truth) than either extreme:
   watch the MSE table.
5. **The tabs say why.** Risk: the MSE for every tau, lowest between the two extremes.
   Posterior: how sure the data are about tau. Ranks: which group is highest or lowest, and
   how sure (the surgical deaths: which hospital is worst?). Check: do data replicated from
   the model look like the data? Paths: every estimate as tau moves. Monte Carlo: is this one
   data set typical? Repeat it a thousand times.
6. **The story has limits and a family.** Add an outlier group: the Normal population drags
   it in, a Student-t one lets it keep its mean. Stein: shrinkage helps even unrelated means.
   Ridge: the same prior as a penalty. Model structure: when to pool at all.
"""
