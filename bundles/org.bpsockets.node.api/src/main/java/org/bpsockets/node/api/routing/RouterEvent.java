package org.bpsockets.node.api.routing;

/** What happened, as far as routing is concerned. */
public sealed interface RouterEvent {

    /** A bundle for another node arrived (from an application or a peer) and is stored. */
    record BundleArrived(BundleSummary bundle) implements RouterEvent {
    }

    /** A transmission failed: the bundle waits again. */
    record TransmitFailed(BundleSummary bundle, LinkSummary link, String reason) implements RouterEvent {
    }

    /** A link came up or went down. */
    record LinkChanged(LinkSummary link) implements RouterEvent {
    }

    /** A scheduled contact started or ended. */
    record ContactChanged(Contact contact, boolean open) implements RouterEvent {
    }

    /** Routes, links or contacts were configured differently. */
    record ConfigurationChanged() implements RouterEvent {
    }

    /** Time passed (about once a second): a chance to retry or expire policy decisions. */
    record Tick() implements RouterEvent {
    }
}
