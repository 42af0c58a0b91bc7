# shellcheck shell=sh
# Where the project finds its servers. Source it (`. deploy/local/env.sh`); it exports the
# addresses of the local servers that deploy/local/infra.sh runs, but keeps any value already
# set in the environment, so existing servers can be used instead:
#
#   export DATABASE_URL=postgres://user:pass@db.example:5432/chat
#   export KAFKA_BROKERS=kafka-1.example:9092,kafka-2.example:9092
#   export CQL_NODES=scylla-1.example:9042
#   export S3_ENDPOINT=https://s3.eu-west-1.amazonaws.com S3_BUCKET=... S3_REGION=eu-west-1
#   export CHAT_EXTERNAL_INFRA=1   # infra.sh up then starts nothing, only checks these answer
#
# POSIX sh, so it works from bash, zsh, dash and make recipes alike.
: "${DATABASE_URL:=postgres://chat:chat@127.0.0.1:5433/chat}"
: "${KAFKA_BROKERS:=127.0.0.1:9092}"
: "${CQL_NODES:=127.0.0.1:9042}"
# The object store of media messages (deploy/local/seaweedfs.sh serves these credentials).
: "${S3_ENDPOINT:=http://127.0.0.1:8333}"
: "${S3_BUCKET:=chat-media}"
: "${S3_ACCESS_KEY_ID:=chat}"
: "${S3_SECRET_ACCESS_KEY:=chat-secret-key}"
: "${S3_REGION:=us-east-1}"
export DATABASE_URL KAFKA_BROKERS CQL_NODES
export S3_ENDPOINT S3_BUCKET S3_ACCESS_KEY_ID S3_SECRET_ACCESS_KEY S3_REGION
