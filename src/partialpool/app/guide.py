"""The Guide tab: what to look for in the figure and the other tabs, as HTML (a Bokeh Div: no
Markdown to render per session)."""

GUIDE_CSS = """
:host { font-size: 14px; line-height: 1.45; max-width: 900px; }
h4 { font-size: 1.6em; font-weight: 500; margin: 0.5em 0 0.4em; }
p, li { margin: 0 0 0.6em; }
code { font-size: 0.85em; color: #b0306a; }
"""
"""The Guide's text as Panel's Bootstrap design sets Markdown, at most 900 pixels wide."""

GUIDE = """
<h4>Start here</h4>
<p>Drag the <strong>tau slider</strong> and watch the green circles: at tau = 0 they all sit on
the dashed grand mean (complete pooling), at the right end on the blue &times; (no pooling).
Then press <strong>Fit tau from data</strong> and read the <strong>MSE table</strong>: which
estimate came closest to the truth?</p>
<p><strong>The figure</strong>, one row per group: grey dots, the group's observations (grey
bars y_j ± 1.96 se_j for data that give only an estimate and its standard error);
<strong>&times;</strong> its mean ybar_j, the no-pooling estimate; <strong>○</strong> the
partial-pooling estimate theta_hat_j at the slider's tau; <strong>▲</strong> the true theta_j
(simulated data); dashed line, the grand mean. Under the slider, <strong>◆</strong> marks the
fitted tau_hat and <strong>▲</strong> the true tau. Hover over a row for its numbers; click a
legend entry to hide its glyph.</p>
<p><strong>Your own data</strong>: choose &quot;Your CSV file&quot; under Data in the sidebar
(☰) and drop a file with raw observations (<code>group,value</code>), estimates
(<code>group,estimate,se</code>, <code>study,yi,vi</code>), <code>group,mean,sd,n</code> or
counts (<code>group,successes,trials</code>, <code>group,count,exposure</code>), and optionally
<code>truth</code>. Common names (school, effect, deaths, operations, ...) are recognised, and
the note under the menu says which columns were read; if they cannot be told apart, pick them.
The <code>partialpool</code> command reads the same files, Parquet too, of any size.</p>
<p><strong>Counts</strong> (rat tumours, surgical deaths, pumps, batting averages, simulated
counts): the rows are rates y_j / n_j with each group's own 95% interval, pooled under a
binomial (or Poisson) model with a normal population on the logit (or log) scale, where tau
lives.</p>
<p><strong>Notation</strong>: ybar_j (or y_j) is group j's estimate and se_j its standard error,
se_j² = sigma² / n_j for n_j observations of within-group sd sigma; tau is the sd of the true
means theta_j around mu.</p>
<h4>What to look for</h4>
<ol>
<li><strong>Every green circle sits between its blue x and the population mean.</strong> Partial
pooling is a compromise: theta_hat_j = ybar_j + B_j (mu_hat - ybar_j). mu_hat weighs each group
by 1 / (se_j² + tau²); at tau = 0 it is the dashed grand mean, and it stays close to it.</li>
<li><strong>Small groups are pulled harder.</strong> B_j = se_j² / (se_j² + tau²) is large when
n_j is small, so a noisy mean of 2 observations moves far, a mean of 40 barely moves. Sort by
group size to see it.</li>
<li><strong>tau is the dial between the two extremes.</strong> Drag it to 0 and every circle
collapses onto the grand mean (complete pooling); drag it up and they settle on the blue x's (no
pooling).</li>
<li><strong>The data can choose tau.</strong> &quot;Fit tau from data&quot; sets tau to its
empirical-Bayes estimate; there the circles are usually closer to the gold triangles (the truth)
than either extreme: watch the MSE table.</li>
<li><strong>The tabs say why.</strong> Risk: the MSE for every tau, lowest between the two
extremes. Posterior: how sure the data are about tau. Ranks: which group is highest or lowest,
and how sure (the surgical deaths: which hospital is worst?). Check: do data replicated from the
model look like the data? Paths: every estimate as tau moves. Monte Carlo: is this one data set
typical? Repeat it a thousand times.</li>
<li><strong>The story has limits and a family.</strong> Add an outlier group: the Normal
population drags it in, a Student-t one lets it keep its mean. Stein: shrinkage helps even
unrelated means. Ridge: the same prior as a penalty. Model structure: when to pool at all.</li>
</ol>
"""
