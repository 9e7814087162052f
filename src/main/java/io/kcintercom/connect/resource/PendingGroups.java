package io.kcintercom.connect.resource;

import java.util.List;
import java.util.function.Function;

/** The groups of a page's objects, in their order, once their follow-up requests are done. */
public interface PendingGroups {
    boolean isDone();

    /** Waits for the follow-ups; throws the first failure among them. */
    List<RecordFactory.Group> await();

    /** Cancels the follow-ups still queued or running: their results will not be used. */
    default void cancel() {
    }

    /** Groups that need no follow-up request. */
    static PendingGroups ready(List<RecordFactory.Group> groups) {
        return new PendingGroups() {
            @Override
            public boolean isDone() {
                return true;
            }

            @Override
            public List<RecordFactory.Group> await() {
                return groups;
            }
        };
    }

    /** Groups assembled from the results of follow-ups once they are all in. */
    static <T> PendingGroups of(FollowUps.Submitted<T> followUps,
                                Function<List<T>, List<RecordFactory.Group>> assemble) {
        return new PendingGroups() {
            @Override
            public boolean isDone() {
                return followUps.isDone();
            }

            @Override
            public List<RecordFactory.Group> await() {
                return assemble.apply(followUps.await());
            }

            @Override
            public void cancel() {
                followUps.cancel();
            }
        };
    }
}
