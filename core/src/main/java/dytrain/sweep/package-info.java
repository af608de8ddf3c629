/**
 * Scaling-law sweeps without Spark: a sweep file expands into trials (resolved configs with stable ids),
 * token budgets become WSD cooldown branches of one run (Hägele et al. 2024), finished trials land in a
 * results table, and the table is fit with Chinchilla's approach 3 ({@link dytrain.sweep.ParametricFit},
 * Hoffmann et al. 2022 as re-fit by Besiroglu et al. 2024) or approach 2 ({@link dytrain.sweep.IsoFlopFit}).
 *
 * <p>Why conjugate gradient and not L-BFGS: Hipparchus 4 (Apache-2.0, maintained) has no quasi-Newton
 * optimiser; smile-core 3.1.1 has L-BFGS but is GPL-3.0 (newer Smile needs a newer Java); Apache OpenNLP's
 * QNMinimizer is L-BFGS but hard-codes a relative tolerance of 1e-4, the kind of early stop Besiroglu et al.
 * found behind Chinchilla's too-narrow intervals, and brings an NLP toolkit; lbfgs4j and
 * edu.jhu.hlt.optimize are unmaintained since 2016. Commons Math 3.6.1 (already managed, the version
 * Spark ships) is run with the analytic gradient in centred coordinates and tight tolerances instead.
 */
package dytrain.sweep;
