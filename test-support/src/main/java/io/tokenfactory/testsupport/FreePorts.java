package io.tokenfactory.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Ports for servers a test starts itself (service processes, stub servers). The operating
 * system may hand out a port it just closed again, so a suite that asks for several ports
 * before starting anything could give two servers the same one (seen: two replicas of a
 * suite on one port, one of them refusing to start); this never returns a port twice in a
 * JVM.
 */
public final class FreePorts {

    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /** A port free now and not handed out before in this JVM. */
    public static synchronized int next() {
        while (true) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (HANDED_OUT.add(socket.getLocalPort())) {
                    return socket.getLocalPort();
                }
            }
            catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

}
