package dev.sparselab.contracts.spec;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * How the network is made sparse: one record per method, each owning its parameters, their defaults
 * ({@link #withDefaults()}, the same values {@code sparselab/spec.schema.json} publishes; a test holds the
 * two together) and the facts the rest of the platform asks of a method: its planned sparsity over the
 * steps, the epochs it adds after training, when its schedule ends. In JSON the method's name (its
 * {@link JsonTypeName}) is the {@code method} property.
 *
 * <p>Code that must handle every method (creating its implementation) does so through a {@link Visitor}
 * (Java 17 has no pattern switch): the compiler then names each place a new method must be handled.
 * Adding a method: a record beside this file, an entry in {@code permits} and a {@link Visitor} method
 * here, its {@code $defs/method-NAME} in the schema, its implementation in {@code sparse-core}'s
 * {@code sparsity} package and the visitor method the compiler then asks for in {@code Methods.create}
 * (see {@code docs/methods.md}).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "method",
        defaultImpl = DenseSpec.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public sealed interface SparsitySpec permits DenseSpec, RandomSpec, MagnitudeSpec, GmpSpec, ImpSpec, WandaSpec,
        L1Spec, GroupLassoSpec, SetSpec, RiglSpec, SnfsSpec, NmSpec, NeuronSpec, ChannelSpec, SriglSpec,
        TopkActivationSpec, ReluThresholdSpec {

    SparsitySpec DENSE = new DenseSpec(null).withDefaults();

    /** Calls the visitor's method for this spec's record. */
    <R> R accept(Visitor<R> visitor);

    /** One method per sparsity method: implementing it handles every method, or does not compile. */
    interface Visitor<R> {
        R dense(DenseSpec spec);
        R random(RandomSpec spec);
        R magnitude(MagnitudeSpec spec);
        R gmp(GmpSpec spec);
        R imp(ImpSpec spec);
        R wanda(WandaSpec spec);
        R l1(L1Spec spec);
        R groupLasso(GroupLassoSpec spec);
        R set(SetSpec spec);
        R rigl(RiglSpec spec);
        R snfs(SnfsSpec spec);
        R nm(NmSpec spec);
        R neuron(NeuronSpec spec);
        R channel(ChannelSpec spec);
        R srigl(SriglSpec spec);
        R topkActivation(TopkActivationSpec spec);
        R reluThreshold(ReluThresholdSpec spec);
    }

    /** The final fraction of zero weights over the sparsified layers (after {@link #withDefaults()}). */
    Double target();

    /** How the target is spread over layers ({@code uniform}, {@code er}, {@code erk}); null when it is not. */
    default String distribution() {
        return null;
    }

    /** Layers kept dense: names ({@code fc1}) or {@code first} / {@code last}; null for dense. */
    default List<String> denseLayers() {
        return null;
    }

    /** The spec with each omitted parameter set to its default. */
    SparsitySpec withDefaults();

    /** The method's name: {@code dense}, {@code set}, {@code rigl}, ... */
    @JsonIgnore
    default String method() {
        return name(getClass());
    }

    /** Epochs after the training phase (fine-tuning, IMP's retraining rounds); 0 for most methods. */
    default int extraEpochs(int trainEpochs) {
        return 0;
    }

    /**
     * Whether the sparsity is fixed from the first step (static and dynamic sparse training, activation
     * sparsity, the dense baseline), so that runs compare from epoch 0; otherwise the method prunes once at the
     * end of the training phase unless it overrides {@link #sparsityAt} and {@link #scheduleEndEpoch}.
     */
    default boolean sparseFromStart() {
        return false;
    }

    /**
     * The weight sparsity the method's schedule sets after step {@code t}: the target throughout for a method
     * sparse from the start, else 0 until the end of the training phase of {@code trainSteps} steps.
     */
    default double sparsityAt(long t, long trainSteps) {
        return sparseFromStart() || t >= trainSteps ? target() : 0;
    }

    /** RigL/SRigL: alpha_t at step t; SET: zeta during training; null for methods that do not move connections. */
    default Double updateFraction(long t, long trainSteps) {
        return null;
    }

    /** Steps where the planned sparsity bends or jumps, beyond the end of training (which every plan shows). */
    default List<Long> scheduleBends(long trainSteps) {
        return List.of();
    }

    /**
     * The epoch after which the sparsity no longer changes by schedule: 0 for methods sparse from the first
     * step; by default the end of the training phase (pruned then).
     */
    default int scheduleEndEpoch(int trainEpochs, long stepsPerEpoch) {
        return sparseFromStart() ? 0 : trainEpochs;
    }

    /** A spec with only method and target set ({@link #withDefaults()} fills in the rest). */
    static SparsitySpec of(String method, double target) {
        return JsonMapper.shared().convertValue(Map.of("method", method, "target", target), SparsitySpec.class);
    }

    /** Every method's name, in {@code permits} order. */
    static List<String> names() {
        return Arrays.stream(SparsitySpec.class.getPermittedSubclasses()).map(SparsitySpec::name).toList();
    }

    private static String name(Class<?> method) {
        return method.getAnnotation(JsonTypeName.class).value();
    }

    /** {@code value} or, when it was omitted, {@code fallback}. */
    static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }

    /** The spec's dense layers, or none. */
    static List<String> layers(List<String> denseLayers) {
        return denseLayers == null ? List.of() : List.copyOf(denseLayers);
    }
}
