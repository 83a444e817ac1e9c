package dev.sparselab.contracts;

/** Kafka topic names. Keys are run ids, so one run's events stay ordered. */
public final class Topics {
    /** The work queue for trainers: {@link dev.sparselab.contracts.events.RunRequested}. */
    public static final String RUN_REQUESTED = "sparselab.run.requested";
    /** What trainers report: {@link dev.sparselab.contracts.events.RunEvent}. */
    public static final String RUN_EVENTS = "sparselab.run.events";
    /** Cancellation and priority changes. */
    public static final String RUN_CONTROL = "sparselab.run.control";
    /** What the evaluator reports: {@link dev.sparselab.contracts.events.EvaluationEvent}. */
    public static final String EVALUATION_EVENTS = "sparselab.evaluation.events";

    /** The dead-letter twins ({@code <topic>-dlt}) of every topic: records no consumer could process. */
    public static final String RUN_REQUESTED_DLT = RUN_REQUESTED + "-dlt";
    public static final String RUN_EVENTS_DLT = RUN_EVENTS + "-dlt";
    public static final String RUN_CONTROL_DLT = RUN_CONTROL + "-dlt";
    public static final String EVALUATION_EVENTS_DLT = EVALUATION_EVENTS + "-dlt";

    /**
     * The trainers' consumer group on {@link #RUN_REQUESTED}. Its lag is what KEDA scales GPU trainers on
     * (k8s/overlays/gpu/trainer-scaledobject.yaml).
     */
    public static final String TRAINERS_GROUP = "trainers";

    private Topics() {
    }
}
