"""Every message of a topic, read with confluent-kafka (librdkafka), one JSON line each:
key, headers, partition, offset, and with a registry URL the value decoded by Confluent's AvroDeserializer.
usage: kafka_dump.py BROKERS TOPIC [REGISTRY_URL]"""
import datetime, json, sys
from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.serialization import MessageField, SerializationContext

brokers, topic = sys.argv[1], sys.argv[2]
deserialize = None
if len(sys.argv) > 3:
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": sys.argv[3]}))

consumer = Consumer({"bootstrap.servers": brokers, "group.id": "kafka-dump", "enable.auto.commit": False,
                     "enable.partition.eof": True})
partitions = consumer.list_topics(topic, timeout=30).topics[topic].partitions
consumer.assign([TopicPartition(topic, p, 0) for p in partitions])
open_partitions = set(partitions)


def plain(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    raise TypeError(repr(value))


while open_partitions:
    m = consumer.poll(30)
    if m is None:
        sys.exit(f"no message or end of partition within 30 s; still open: {sorted(open_partitions)}")
    if m.error():
        if m.error().code() == -191:  # _PARTITION_EOF
            open_partitions.discard(m.partition())
            continue
        sys.exit(str(m.error()))
    out = {"partition": m.partition(), "offset": m.offset(), "key": m.key().decode(),
           "headers": [[k, v.decode()] for k, v in (m.headers() or [])]}
    if deserialize:
        out["value"] = deserialize(m.value(), SerializationContext(topic, MessageField.VALUE))
    print(json.dumps(out, default=plain))
consumer.close()
