package io.kcintercom.connect.resource;

import java.util.List;

/**
 * A part of a reconciliation sweep (issue 16), run a step at a time between incremental passes so
 * that a sweep over millions of ids never holds the reader: each step makes at most one request
 * (a search page) and returns the groups to emit, retractions included. A sweep is not resumed
 * after a restart; it starts again at its next due time.
 */
interface SweepStep {
    /** Whether every step has run. */
    boolean done();

    /** Runs the next step: at most one request; the groups it found to emit, possibly none. */
    List<RecordFactory.Group> step();

    /** Requests made so far, for the sweep's cost report. */
    long requests();
}
