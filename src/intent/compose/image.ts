import type { Protocol } from '../../model/index.ts';

export interface ImageReference {
  /** Registry and path, without tag or digest: `docker.io/library/redis` is `redis` here as written. */
  repository: string;
  tag?: string;
  digest?: string;
}

/** `registry:5000/team/app:1.2@sha256:…` → repository, tag and digest. */
export function parseImage(reference: string): ImageReference {
  const at = reference.indexOf('@');
  const digest = at === -1 ? undefined : reference.slice(at + 1);
  const name = at === -1 ? reference : reference.slice(0, at);
  const colon = name.lastIndexOf(':');
  // A colon before the last slash belongs to a registry port, not to a tag.
  const tag = colon > name.lastIndexOf('/') ? name.slice(colon + 1) : undefined;
  return {
    repository: tag === undefined ? name : name.slice(0, colon),
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

/** The `sha256:…` digest an image reference pins, if any. */
export function imageDigest(reference: string): string | undefined {
  const digest = parseImage(reference).digest;
  return digest !== undefined && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest : undefined;
}

/** True when what the reference names can change under it: no tag, or `latest`, and no digest. */
export function isFloatingTag(reference: string): boolean {
  const { tag, digest } = parseImage(reference);
  return digest === undefined && (tag === undefined || tag === 'latest');
}

interface KnownImage { ports: Array<{ port: number; protocol: Protocol }>; server: string }

const tcp = (...ports: number[]) => ports.map((port) => ({ port, protocol: 'tcp' as const }));

// Until the shared knowledge stage exists, these few servers are known here: the ports
// their official images listen on when a compose file declares none.
const KNOWN_IMAGES: Record<string, KnownImage> = {
  mysql: { ports: tcp(3306), server: 'MySQL' },
  mariadb: { ports: tcp(3306), server: 'MariaDB' },
  percona: { ports: tcp(3306), server: 'Percona Server' },
  postgres: { ports: tcp(5432), server: 'PostgreSQL' },
  postgresql: { ports: tcp(5432), server: 'PostgreSQL' },
  postgis: { ports: tcp(5432), server: 'PostgreSQL' },
  redis: { ports: tcp(6379), server: 'Redis' },
  valkey: { ports: tcp(6379), server: 'Valkey' },
  'redis-stack': { ports: tcp(6379, 8001), server: 'Redis Stack' },
  'redis-stack-server': { ports: tcp(6379), server: 'Redis Stack' },
  mongo: { ports: tcp(27017), server: 'MongoDB' },
  mongodb: { ports: tcp(27017), server: 'MongoDB' },
  memcached: { ports: tcp(11211), server: 'memcached' },
  rabbitmq: { ports: tcp(5672), server: 'RabbitMQ' },
  nats: { ports: tcp(4222), server: 'NATS' },
  elasticsearch: { ports: tcp(9200, 9300), server: 'Elasticsearch' },
  opensearch: { ports: tcp(9200, 9300), server: 'OpenSearch' },
  zookeeper: { ports: tcp(2181), server: 'ZooKeeper' },
  kafka: { ports: tcp(9092), server: 'Kafka' },
  'cp-kafka': { ports: tcp(9092), server: 'Kafka' },
  influxdb: { ports: tcp(8086), server: 'InfluxDB' },
  consul: { ports: tcp(8500), server: 'Consul' },
  etcd: { ports: tcp(2379), server: 'etcd' },
  minio: { ports: tcp(9000), server: 'MinIO' },
  nginx: { ports: tcp(80), server: 'nginx' },
  httpd: { ports: tcp(80), server: 'Apache httpd' },
};

/** Ports the image of a well-known server listens on, from its repository's last path segment. */
export function knownImage(reference: string): KnownImage | undefined {
  const { repository } = parseImage(reference);
  const name = repository.slice(repository.lastIndexOf('/') + 1).toLowerCase();
  return Object.hasOwn(KNOWN_IMAGES, name) ? KNOWN_IMAGES[name] : undefined;
}
