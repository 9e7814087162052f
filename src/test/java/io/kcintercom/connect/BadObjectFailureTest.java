package io.kcintercom.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kcintercom.connect.resource.BadObjects;
import io.kcintercom.connect.resource.RecordFactory;
import io.kcintercom.connect.resource.Resource;
import io.kcintercom.connect.table.Tables;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Under intercom.bad.objects=fail a bad object fails the task: the supervisor does not retry it for ever. */
class BadObjectFailureTest {
    @Test
    void aBadObjectUnderFailIsAPermanentFailure() throws Exception {
        RecordFactory.Group group = new RecordFactory("i.", List.of(Tables.USERS),
                new BadObjects(BadObjects.Policy.FAIL, null)).group(Resource.USERS, "contact u1");

        RuntimeException failure = assertThrows(RuntimeException.class, () -> group.add(Tables.USERS,
                new ObjectMapper().readTree("{\"id\":\"u1\",\"created_at\":\"never\"}")));

        assertEquals(Failures.Kind.PERMANENT, Failures.classify(failure));
    }
}
