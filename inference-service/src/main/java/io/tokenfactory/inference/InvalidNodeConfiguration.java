package io.tokenfactory.inference;

/**
 * A node declaration that cannot work; its message is the one line the start-up failure
 * shows.
 */
public class InvalidNodeConfiguration extends RuntimeException {

    public InvalidNodeConfiguration(String message) {
        super(message);
    }

}
