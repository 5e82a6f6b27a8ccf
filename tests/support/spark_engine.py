"""Spark SQL (local mode) for tests/sql_engines.rs: one Spark session serves every case.

Reads one SPEC.json path per line on stdin (the same spec as duckdb_engine.py) and answers each
with one line on stdout: `FFRESULT OK` or `FFRESULT ERR <json message>`. The CSV's header row is
skipped and columns are renamed by position, so a messy header becomes a clean table.
"""

import csv
import json
import sys
import tempfile

from pyspark.sql import SparkSession
from pyspark.sql.functions import col


def ident(name):
    return "`" + name.replace("`", "``") + "`"


def run(spark, spec):
    columns = spec["columns"]
    raw = spark.read.csv(spec["csv"], header=True, inferSchema=False, quote='"', escape='"', multiLine=True)
    raw = raw.toDF(*[f"c{i}" for i in range(len(columns))])
    typed = raw.select(*[col(f"c{i}").cast(t).alias(name) for i, (name, t) in enumerate(columns)])
    table = spec["table"]
    if len(table) == 1:
        typed.createOrReplaceTempView(table[0])
    else:
        spark.sql("CREATE DATABASE IF NOT EXISTS " + ".".join(ident(p) for p in table[:-1]))
        typed.write.mode("overwrite").saveAsTable(".".join(ident(p) for p in table))
    with open(spec["query"], encoding="utf-8") as f:
        query = f.read().rstrip().rstrip(";")
    result = spark.sql(query)
    rows = result.collect()
    with open(spec["out"], "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(result.columns)
        for row in rows:
            writer.writerow("" if v is None else repr(v) if isinstance(v, float) else str(v) for v in row)


def main():
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("fairfile-sql-engines")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="fairfile-spark-"))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    print("FFRESULT READY", flush=True)
    for line in sys.stdin:
        path = line.strip()
        if not path:
            continue
        try:
            with open(path, encoding="utf-8") as f:
                run(spark, json.load(f))
            print("FFRESULT OK", flush=True)
        except Exception as e:  # reported to the Rust test, which fails the case
            print("FFRESULT ERR " + json.dumps(str(e)), flush=True)
    spark.stop()


if __name__ == "__main__":
    main()
