"""Reads AVRO container files with Spark's spark-avro; prints per file: records, sum of user_id."""
import glob
import os
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

libs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libs")
spark = (
    SparkSession.builder.master("local[1]")
    .config("spark.jars", glob.glob(os.path.join(libs, "spark-avro_2.13-*.jar"))[0])
    .config("spark.ui.enabled", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
for path in sys.argv[1:]:
    row = spark.read.format("avro").load(path).agg(F.count("*").alias("n"), F.sum("user_id").alias("s")).first()
    print(row["n"], row["s"])
spark.stop()
