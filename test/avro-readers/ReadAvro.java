import java.io.File;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;

/** Reads AVRO container files with the Java Avro library; prints per file: codec, records, sum of user_id. */
public class ReadAvro {
  public static void main(String[] args) throws Exception {
    for (String path : args) {
      try (DataFileReader<GenericRecord> reader = new DataFileReader<>(new File(path), new GenericDatumReader<>())) {
        long records = 0;
        long userIds = 0;
        for (GenericRecord record : reader) {
          records++;
          userIds += ((Number) record.get("user_id")).longValue();
        }
        System.out.println(reader.getMetaString("avro.codec") + " " + records + " " + userIds);
      }
    }
  }
}
