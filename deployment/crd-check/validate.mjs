// Validates custom resources against their CRD schemas. Input: a JSON file holding an array of objects.
// Output: one line per object, "ok <kind>/<name>" or "invalid <kind>/<name>: <errors>"; a kind with no schema
// here is "unknown". Exit status 1 if any object is invalid or unknown.
// Schemas: Strimzi 0.49/1.0, CloudNativePG 1.29, KEDA 2.x (packages of github.com/tommy351/kubernetes-models-ts).
import { readFileSync } from "node:fs";
import { Kafka } from "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/Kafka";
import { KafkaNodePool } from "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaNodePool";
import { KafkaTopic } from "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2/KafkaTopic";
import { Cluster } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/Cluster";
import { ScheduledBackup } from "@kubernetes-models/cloudnative-pg/postgresql.cnpg.io/v1/ScheduledBackup";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";

const models = {
  "kafka.strimzi.io/v1beta2 Kafka": Kafka,
  "kafka.strimzi.io/v1beta2 KafkaNodePool": KafkaNodePool,
  "kafka.strimzi.io/v1beta2 KafkaTopic": KafkaTopic,
  "postgresql.cnpg.io/v1 Cluster": Cluster,
  "postgresql.cnpg.io/v1 ScheduledBackup": ScheduledBackup,
  "keda.sh/v1alpha1 ScaledObject": ScaledObject,
};

let failed = false;
for (const object of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const id = `${object.kind}/${object.metadata?.name}`;
  const Model = models[`${object.apiVersion} ${object.kind}`];
  if (!Model) {
    console.log(`unknown ${id}: no schema for ${object.apiVersion}`);
    failed = true;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`ok ${id}`);
  } catch (e) {
    const errors = (e.errors ?? []).map((x) => `${x.instancePath} ${x.message}`).join("; ");
    console.log(`invalid ${id}: ${errors || e.message}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
