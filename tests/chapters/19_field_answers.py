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
