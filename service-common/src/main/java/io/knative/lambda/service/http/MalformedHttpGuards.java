package io.knative.lambda.service.http;

import java.lang.reflect.Field;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.netty.channel.Channel;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.core.net.impl.TCPServerBase;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Puts a {@link MalformedHttpGuard} on every HTTP/1.x connection of the service, so that malformed HTTP gets
 * the JSON error too. Quarkus offers no hook on the connections it accepts, so two paths: when the server
 * listens, its listening channels are armed ({@link ConnectionArm}: each new connection gets a guard
 * before its first byte is decoded); and every routed request checks its own connection (and arms the
 * listening channel behind it), which covers a Vert.x whose internals moved, at the price of the first
 * malformed head on such a connection getting Vert.x' empty 400.
 */
@ApplicationScoped
public class MalformedHttpGuards {

    private static final Logger LOG = Logger.getLogger(MalformedHttpGuards.class);

    @Inject
    Vertx vertx;

    void onStart(@ObservesAsync HttpServerStart start) {
        armListeningChannels();
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::guardConnection);
    }

    void guardConnection(RoutingContext ctx) {
        HttpConnection connection = ctx.request().connection();
        if (connection instanceof ConnectionBase base && base.channelHandlerContext() != null) {
            MalformedHttpGuard.install(base.channelHandlerContext().pipeline());
            ConnectionArm.armServer(base.channel().parent());
        }
        ctx.next();
    }

    /** Arms the listening channels of every HTTP server of this Vert.x; logs (and leaves it to the lazy path) if it cannot. */
    void armListeningChannels() {
        try {
            Field bind = TCPServerBase.class.getDeclaredField("bindFuture");
            bind.setAccessible(true);
            int armed = 0;
            for (TCPServerBase server : ((VertxInternal) vertx).sharedHttpServers().values()) {
                Object future = bind.get(server);
                if (future instanceof Future<?> f && f.result() instanceof Channel channel) {
                    ConnectionArm.armServer(channel);
                    armed++;
                }
            }
            LOG.debugf("malformed-HTTP guard armed on %d listening channel(s)", armed);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("cannot arm the listening channels for the malformed-HTTP guard (%s); connections get it at their"
                    + " first routed request", e.toString());
        }
    }
}
