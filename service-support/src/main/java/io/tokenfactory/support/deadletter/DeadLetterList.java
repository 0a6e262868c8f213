package io.tokenfactory.support.deadletter;

import java.util.List;

/**
 * One service's dead letters, newest failure first.
 *
 * @param service the service that parked them
 * @param waiting how many of all its dead letters wait (neither replayed nor discarded)
 */
public record DeadLetterList(String service, long waiting, List<DeadLetter> deadLetters) {
}
