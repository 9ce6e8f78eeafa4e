package io.knative.lambda.service.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.impl.Http1xOrH2CHandler;

/**
 * Put first in every accepted connection's pipeline ({@link #ACCEPTOR} does it), before the server has
 * chosen between HTTP/1.x and cleartext HTTP/2: it lets Vert.x' detector ({@code Http1xOrH2CHandler}) decide on as few
 * bytes as it needs, then installs the {@link MalformedHttpGuard} behind the HTTP/1.x codec the detector
 * set up — before the request's first line reaches the decoder — and steps out of the way.
 */
final class ConnectionArm extends ChannelInboundHandlerAdapter {

    static final String NAME = "klambda-connection-arm";
    /** Vert.x' HTTP/1.x-or-h2c detector (it has no name in the pipeline). */
    static final Class<? extends ChannelHandler> DETECTOR = Http1xOrH2CHandler.class;
    /** On a server channel: arms every connection it accepts. */
    static final ChannelHandler ACCEPTOR = new Acceptor();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ChannelPipeline pipeline = ctx.pipeline();
        if (msg instanceof ByteBuf bytes && pipeline.get(DETECTOR) != null) {
            while (bytes.isReadable() && pipeline.get(DETECTOR) != null) {
                ctx.fireChannelRead(bytes.readRetainedSlice(1));
            }
            if (pipeline.get(DETECTOR) != null) {
                bytes.release();
                return;
            }
            MalformedHttpGuard.install(pipeline);
            pipeline.remove(this);
            if (bytes.isReadable()) {
                ctx.fireChannelRead(bytes);
            } else {
                bytes.release();
            }
            return;
        }
        MalformedHttpGuard.install(pipeline);
        pipeline.remove(this);
        ctx.fireChannelRead(msg);
    }

    /** Adds a fresh {@link ConnectionArm} to each accepted connection. */
    @ChannelHandler.Sharable
    private static final class Acceptor extends ChannelInboundHandlerAdapter {
        static final String NAME = "klambda-accept-arm";

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.channel.Channel child) {
                child.pipeline().addFirst(ConnectionArm.NAME, new ConnectionArm());
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Arms a listening channel once. */
    static void armServer(io.netty.channel.Channel server) {
        if (server == null || !server.isOpen() || server.pipeline().get(Acceptor.NAME) != null) {
            return;
        }
        try {
            server.pipeline().addFirst(Acceptor.NAME, ACCEPTOR);
        } catch (IllegalArgumentException raced) {
            // armed by another path meanwhile
        }
    }
}
