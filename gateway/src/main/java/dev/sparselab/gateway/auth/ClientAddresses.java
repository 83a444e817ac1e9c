package dev.sparselab.gateway.auth;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.security.web.util.matcher.IpAddressMatcher;

/**
 * The client's address for per-address limits: the connection's address, unless it is a configured trusted proxy —
 * then the right-most address of {@code X-Forwarded-For} that is not itself a trusted proxy (what a client puts on
 * the left of that header is not believed). Behind an Ingress without trusted proxies configured every client would
 * share the Ingress's address (and its login limit).
 */
final class ClientAddresses {
    private final List<IpAddressMatcher> trusted;

    ClientAddresses(List<String> trustedProxies) {
        List<IpAddressMatcher> matchers = new ArrayList<>();
        for (String cidr : trustedProxies == null ? List.<String>of() : trustedProxies) {
            String c = cidr.strip();
            if (c.isEmpty()) {
                continue;
            }
            if (!c.matches("[0-9A-Fa-f.:]+(/[0-9]{1,3})?")) {
                throw new IllegalStateException("sparselab.gateway.limits.trusted-proxies: '" + cidr + "' is not an "
                        + "IP address or CIDR range (e.g. 10.0.0.0/8, fd00::/8)");
            }
            try {
                matchers.add(new IpAddressMatcher(c));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("sparselab.gateway.limits.trusted-proxies: '" + cidr + "': "
                        + e.getMessage(), e);
            }
        }
        this.trusted = List.copyOf(matchers);
    }

    String of(HttpServletRequest request) {
        String remote = request.getRemoteAddr();
        if (!isTrusted(remote)) {
            return remote;
        }
        List<String> hops = new ArrayList<>();
        for (String header : Collections.list(request.getHeaders("X-Forwarded-For"))) {
            for (String hop : header.split(",")) {
                if (!hop.isBlank()) {
                    hops.add(hop.strip());
                }
            }
        }
        String client = remote;
        for (int i = hops.size() - 1; i >= 0; i--) {
            client = hops.get(i);
            if (!isTrusted(client)) {
                break;
            }
        }
        return client;
    }

    private boolean isTrusted(String address) {
        for (IpAddressMatcher m : trusted) {
            try {
                if (m.matches(address)) {
                    return true;
                }
            } catch (IllegalArgumentException e) {
                return false; // not an address (a forged header's text)
            }
        }
        return false;
    }
}
