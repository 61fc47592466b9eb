"""Checks of page 19 (notebooks/19_field_answers.md), over its recorded values."""


def check_matching_recovers_a_permuted_copy(rec):
    """Weight matching finds the permutation of a network's own permuted copy exactly, and
    the barrier of the straight line between them, positive before, vanishes after."""
    assert rec["live_recovered"] and rec["live_identical"]
    # before: a straight line between two labellings of one network leaves the network's
    # function (half an epoch of training already gives a barrier of several tenths of a
    # nat); after: both ends are the same vector, and a point of the path, (1 - a) x + a x
    # in float32, differs from x by at most an ulp per entry, so the loss (below 2 nats)
    # moves by some float32 ulps: 1e-6 is about eight of them at 2 nats
    assert rec["live_barrier_before"] > 0.01, rec["live_barrier_before"]
    assert rec["live_barrier_after"] < 1e-6, rec["live_barrier_after"]


def check_the_grid_of_the_data_file(rec):
    """At least five spawn pairs at each of four spawn points, three widths, five sources."""
    # the minimum: >= 5 pairs per spawn point, >= 3 widths, >= 5 runs per source
    # (every source with 5 runs: source_table's n_runs; here the count of sources)
    assert rec["n_spawn_pairs"] >= 5 and rec["n_spawns"] >= 4, (rec["n_spawn_pairs"],
                                                                 rec["n_spawns"])
    assert rec["n_widths"] >= 3 and rec["n_width_pairs"] >= 3
    assert rec["n_sources"] == 5


def check_children_learn_as_page_12_mlp(rec):
    """The spawned children end at the MLP's accuracy of page 12 (0.8895 over five seeds)."""
    # the same recipe and network: a child that ended far below would not be a fair copy
    assert 0.88 <= rec["child_accuracy"] <= 0.90, rec["child_accuracy"]


def check_the_live_network_learns(rec):
    """The MLP trained live beats chance (0.1) by far."""
    # a quarter of an epoch of the MLP reaches about 0.8 (fast reruns)
    assert rec["live_accuracy"] > 0.5, rec["live_accuracy"]


def check_chaos_beside_accuracy(rec):
    """The networks ahead of every chaotic one are the two convolutional ones of page 12,
    and the most accurate network is among them."""
    # page 12's verdicts: the MLP is the only chaotic network (early in training), and the
    # CNN (0.914) and ResNet (0.904) beat its 0.890 by more than their intervals (0.003)
    assert rec["chaotic_nets"] == "MLP", rec["chaotic_nets"]
    assert set(rec["ahead"].split(", ")) == {"CNN", "ResNet"}, rec["ahead"]
    assert rec["best"] in rec["ahead"]


def check_edge_counts_against_a_recount(rec):
    """The page's counts of chaotic runs, past and below the edge, equal a plain recount of
    page 11's sweep file (four widths by three seeds, nine runs each)."""
    import json
    from pathlib import Path

    import numpy as np

    data = json.loads((Path(__file__).resolve().parents[2] / "book" / "_data"
                       / "sweep_practice.json").read_text(encoding="utf-8"))
    runs = np.array([v for r in data["runs"] for v in r["values"]["scan_table"].values()],
                    float)
    runs = runs[np.isfinite(runs).all(axis=1)]
    lam, se, edge = runs.T
    chaotic = lam > 3 * se
    assert rec["n_scans"] == len(data["runs"]) == 12
    assert rec["n_runs"] == len(runs)
    assert rec["n_chaotic"] == chaotic.sum()
    assert rec["n_chaotic_below_edge"] == (chaotic & (edge < 1)).sum()


def check_symmetry_counts_match_their_closed_forms(rec):
    """Every measured symmetry dimension equals its closed form, with a clean gap."""
    # null singular values sit at float64 rounding (~1e-16 of the largest), kept ones above
    # ~1e-8 of it: a gap below 1e6 would mean the rank is not resolved
    assert rec["sym_exact"], "a measured dimension differs from its closed form"
    assert rec["sym_gap"] > 1e6, rec["sym_gap"]
    assert rec["sym_transformer"] > rec["sym_others"] > 0


def check_the_minimal_student_concentrates_like_root_n(rec):
    """The minimal student's largest posterior width falls like n^(-1/2) (within the
    factor 2 the verdict allows), its distance to the teacher falls, and the wider
    student's width stays of the order of the prior scale (2)."""
    assert 0.5 * rec["post_expected"] <= rec["post_ratio_minimal"] <= 2 * rec["post_expected"], (
        rec["post_ratio_minimal"], rec["post_expected"])
    assert rec["post_dist_last"] < rec["post_dist_first"]
    # the redundant directions are held by the prior (scale 2) only: a width below a
    # tenth of it at the largest n would mean the wide student concentrates after all
    assert rec["post_width_last_wide"] > 0.2, rec["post_width_last_wide"]


def check_the_cnn_is_measured_at_initialisation(rec):
    """Five pairs of the CNN's children spawned at initialisation, trained to the CNN's
    accuracy of page 12 (0.914 over five seeds)."""
    assert rec["CNN_k0_pairs"] >= 5 and rec["CNN_k0_spawn"] == 0, rec["CNN_k0_pairs"]
    assert 0.90 <= rec["CNN_k0_accuracy"] <= 0.93, rec["CNN_k0_accuracy"]
