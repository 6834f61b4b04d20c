// What Tenet knows of well-known software, as data: over 400 lines because
// it is a table (one entry per building block, each fact with its
// reference), not logic.
/** Where a fact comes from: upstream documentation, a distribution's default configuration, an official image. */
export interface KnowledgeFact {
  reference: string;
}

/** A well-known piece of software an image is built from, and what it does by default. */
export interface BuildingBlock {
  id: string;
  name: string;
  /** Package names, by manager, that mean the block is present. */
  packages: { dpkg?: string[]; apk?: string[]; rpm?: string[] };
  /** Absolute paths of its main executables, as distributions and official images install them. */
  executables: string[];
  /** Repository names (last path segment, lower case) of its official or common images. */
  images: string[];
  listen: Array<{ port: number; protocol: 'tcp' | 'udp'; name?: string } & KnowledgeFact>;
  /** Paths it writes at run time by default: logs, pid files, sockets, data. */
  writes: Array<{ path: string } & KnowledgeFact>;
  /** Programs it executes by default (not forks of itself, which run no new program). */
  spawns: Array<{ path: string; why: string } & KnowledgeFact>;
}

const tcp = (port: number, reference: string, name?: string) => ({ port, protocol: 'tcp' as const, reference, ...(name !== undefined && { name }) });
const udp = (port: number, reference: string, name?: string) => ({ port, protocol: 'udp' as const, reference, ...(name !== undefined && { name }) });
const writes = (reference: string, ...paths: string[]) => paths.map((path) => ({ path, reference }));
const versions = (template: string, from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => template.replace('%', String(from + i)));

const DEBIAN_NGINX = 'Debian nginx-common: /etc/nginx/nginx.conf and /etc/nginx/sites-available/default';
const DEBIAN_APACHE = 'Debian apache2: /etc/apache2/ports.conf and /etc/apache2/envvars';
const REDIS_CONF = 'https://redis.io/docs/latest/operate/oss_and_stack/management/config-file/ (port 6379); Debian redis-server: /etc/redis/redis.conf';
const REDIS_STACK = 'https://redis.io/docs/latest/operate/oss_and_stack/install/install-stack/docker/';
const POSTGRES = 'https://www.postgresql.org/docs/current/runtime-config-connection.html (port 5432)';
const MYSQL_PORTS = 'https://dev.mysql.com/doc/mysql-port-reference/en/mysql-port-reference-tables.html';
const MARIADB = 'https://mariadb.com/kb/en/configuring-mariadb-for-remote-client-access/ (port 3306)';
const ELASTIC = 'https://www.elastic.co/guide/en/elasticsearch/reference/current/modules-network.html (http.port 9200, transport.port 9300)';
const OPENSEARCH = 'https://opensearch.org/docs/latest/install-and-configure/configuring-opensearch/network-settings/ (9200, 9300)';
const CONSUL = 'https://developer.hashicorp.com/consul/docs/install/ports';
const ETCD = 'https://etcd.io/docs/v3.5/op-guide/configuration/ (client 2379, peer 2380)';
const RABBITMQ = 'https://www.rabbitmq.com/docs/networking#ports';
const BIND = 'https://bind9.readthedocs.io/en/latest/reference.html (listen-on port 53; controls default 127.0.0.1 port 953)';
const TOMCAT = 'Apache Tomcat conf/server.xml (HTTP Connector 8080, shutdown port 8005)';

/** The known building blocks. Each fact names where it is documented. */
export const BUILDING_BLOCKS: readonly BuildingBlock[] = [
  {
    id: 'nginx',
    name: 'nginx',
    packages: { dpkg: ['nginx', 'nginx-light', 'nginx-core', 'nginx-full', 'nginx-extras'], apk: ['nginx'], rpm: ['nginx'] },
    executables: ['/usr/sbin/nginx'],
    images: ['nginx'],
    listen: [tcp(80, `${DEBIAN_NGINX} (listen 80 default_server); official image /etc/nginx/conf.d/default.conf`, 'http')],
    writes: [
      ...writes(`${DEBIAN_NGINX} (access_log, error_log)`, '/var/log/nginx'),
      ...writes('Debian nginx build flags --http-client-body-temp-path=/var/lib/nginx/body and friends', '/var/lib/nginx'),
      ...writes(`${DEBIAN_NGINX} (pid /run/nginx.pid)`, '/run/nginx.pid'),
      ...writes('official nginx image: --http-client-body-temp-path=/var/cache/nginx/client_temp', '/var/cache/nginx'),
    ],
    spawns: [],
  },
  {
    id: 'apache-httpd',
    name: 'Apache httpd',
    packages: { dpkg: ['apache2', 'apache2-bin'], apk: ['apache2'], rpm: ['httpd'] },
    executables: ['/usr/sbin/apache2', '/usr/sbin/httpd', '/usr/local/apache2/bin/httpd'],
    images: ['httpd', 'apache2'],
    listen: [tcp(80, `${DEBIAN_APACHE} (Listen 80); official httpd image conf/httpd.conf (Listen 80)`, 'http')],
    writes: [
      ...writes(`${DEBIAN_APACHE} (APACHE_LOG_DIR, APACHE_RUN_DIR, APACHE_LOCK_DIR)`, '/var/log/apache2', '/var/run/apache2', '/var/lock/apache2'),
      ...writes('official httpd image: ServerRoot /usr/local/apache2, ErrorLog logs/error_log', '/usr/local/apache2/logs'),
    ],
    spawns: [],
  },
  {
    id: 'redis',
    name: 'Redis',
    packages: { dpkg: ['redis-server'], apk: ['redis'], rpm: ['redis'] },
    executables: ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
    images: ['redis'],
    listen: [tcp(6379, REDIS_CONF, 'redis')],
    writes: [
      ...writes('Debian redis-server: /etc/redis/redis.conf (dir /var/lib/redis, logfile /var/log/redis/redis-server.log)', '/var/lib/redis', '/var/log/redis'),
      ...writes('official redis image: WORKDIR /data', '/data'),
    ],
    spawns: [],
  },
  {
    id: 'redis-stack',
    name: 'Redis Stack',
    packages: {},
    executables: ['/opt/redis-stack/bin/redis-server'],
    images: ['redis-stack'],
    listen: [
      tcp(6379, `${REDIS_STACK} (6379)`, 'redis'),
      tcp(8001, `${REDIS_STACK} (RedisInsight on 8001)`, 'insight'),
    ],
    writes: writes(`${REDIS_STACK} (/data)`, '/data'),
    spawns: [],
  },
  {
    id: 'redis-stack-server',
    name: 'Redis Stack server',
    packages: {},
    executables: [],
    images: ['redis-stack-server'],
    listen: [tcp(6379, `${REDIS_STACK} (6379)`, 'redis')],
    writes: writes(`${REDIS_STACK} (/data)`, '/data'),
    spawns: [],
  },
  {
    id: 'valkey',
    name: 'Valkey',
    packages: { dpkg: ['valkey-server'], apk: ['valkey'], rpm: ['valkey'] },
    executables: ['/usr/bin/valkey-server', '/usr/local/bin/valkey-server'],
    images: ['valkey'],
    listen: [tcp(6379, 'https://valkey.io/topics/config/ (port 6379)', 'redis')],
    writes: writes('official valkey image: WORKDIR /data', '/data'),
    spawns: [],
  },
  {
    id: 'postgresql',
    name: 'PostgreSQL',
    packages: { dpkg: ['postgresql', ...versions('postgresql-%', 11, 18)], apk: ['postgresql', ...versions('postgresql%', 13, 18)], rpm: ['postgresql-server'] },
    executables: [...versions('/usr/lib/postgresql/%/bin/postgres', 11, 18), '/usr/local/bin/postgres', '/usr/bin/postgres'],
    images: ['postgres', 'postgresql', 'postgis'],
    listen: [tcp(5432, POSTGRES, 'postgresql')],
    writes: [
      ...writes('Debian postgresql-common: data_directory /var/lib/postgresql/VERSION/main, unix_socket_directories /var/run/postgresql, logs in /var/log/postgresql', '/var/lib/postgresql', '/var/run/postgresql', '/var/log/postgresql'),
    ],
    spawns: [],
  },
  {
    id: 'mysql',
    name: 'MySQL',
    packages: { dpkg: ['mysql-server', 'mysql-server-core-8.0', 'mysql-community-server', 'mysql-community-server-core'], rpm: ['mysql-server', 'mysql-community-server'] },
    executables: ['/usr/sbin/mysqld'],
    images: ['mysql', 'percona', 'percona-server'],
    listen: [tcp(3306, `${MYSQL_PORTS} (3306 classic protocol)`, 'mysql'), tcp(33060, `${MYSQL_PORTS} (33060 X Protocol, on by default since 8.0)`, 'mysqlx')],
    writes: writes('https://dev.mysql.com/doc/refman/8.0/en/server-system-variables.html (datadir /var/lib/mysql, socket /var/run/mysqld/mysqld.sock on Debian and in the official image)', '/var/lib/mysql', '/var/run/mysqld'),
    spawns: [],
  },
  {
    id: 'mariadb',
    name: 'MariaDB',
    packages: { dpkg: ['mariadb-server', 'mariadb-server-core'], apk: ['mariadb'], rpm: ['mariadb-server'] },
    executables: ['/usr/sbin/mariadbd', '/usr/bin/mariadbd'],
    images: ['mariadb'],
    listen: [tcp(3306, MARIADB, 'mysql')],
    writes: writes('Debian mariadb-server: /etc/mysql/mariadb.conf.d/50-server.cnf (datadir /var/lib/mysql, socket /run/mysqld/mysqld.sock)', '/var/lib/mysql', '/run/mysqld'),
    spawns: [],
  },
  {
    id: 'mongodb',
    name: 'MongoDB',
    packages: { dpkg: ['mongodb-org-server', 'mongodb-server'], rpm: ['mongodb-org-server'] },
    executables: ['/usr/bin/mongod'],
    images: ['mongo', 'mongodb', 'mongodb-community-server'],
    listen: [tcp(27017, 'https://www.mongodb.com/docs/manual/reference/default-mongodb-port/', 'mongodb')],
    writes: [
      ...writes('official mongo image: VOLUME /data/db /data/configdb', '/data/db', '/data/configdb'),
      ...writes('MongoDB packages: /etc/mongod.conf (dbPath /var/lib/mongodb, log /var/log/mongodb/mongod.log)', '/var/lib/mongodb', '/var/log/mongodb'),
    ],
    spawns: [],
  },
  {
    id: 'memcached',
    name: 'memcached',
    packages: { dpkg: ['memcached'], apk: ['memcached'], rpm: ['memcached'] },
    executables: ['/usr/bin/memcached', '/usr/local/bin/memcached'],
    images: ['memcached'],
    listen: [tcp(11211, 'https://github.com/memcached/memcached/wiki/ConfiguringServer (-p 11211; UDP off by default since 1.5.6)', 'memcache')],
    writes: [],
    spawns: [],
  },
  {
    id: 'rabbitmq',
    name: 'RabbitMQ',
    packages: { dpkg: ['rabbitmq-server'], rpm: ['rabbitmq-server'] },
    executables: ['/usr/lib/rabbitmq/bin/rabbitmq-server', '/opt/rabbitmq/sbin/rabbitmq-server'],
    images: ['rabbitmq'],
    listen: [tcp(5672, `${RABBITMQ} (AMQP 5672)`, 'amqp'), tcp(25672, `${RABBITMQ} (inter-node and CLI 25672)`), tcp(4369, `${RABBITMQ} (epmd 4369)`, 'epmd')],
    writes: writes(`${RABBITMQ}; Debian rabbitmq-server: RABBITMQ_MNESIA_BASE /var/lib/rabbitmq/mnesia, logs /var/log/rabbitmq`, '/var/lib/rabbitmq', '/var/log/rabbitmq'),
    spawns: [],
  },
  {
    id: 'nats',
    name: 'NATS',
    packages: { apk: ['nats-server'] },
    executables: ['/nats-server', '/usr/local/bin/nats-server', '/usr/bin/nats-server'],
    images: ['nats'],
    listen: [tcp(4222, 'https://docs.nats.io/running-a-nats-service/configuration (port 4222)', 'nats')],
    writes: [],
    spawns: [],
  },
  {
    id: 'elasticsearch',
    name: 'Elasticsearch',
    packages: { dpkg: ['elasticsearch'], rpm: ['elasticsearch'] },
    executables: ['/usr/share/elasticsearch/bin/elasticsearch'],
    images: ['elasticsearch'],
    listen: [tcp(9200, ELASTIC, 'http'), tcp(9300, ELASTIC, 'transport')],
    writes: writes('https://www.elastic.co/guide/en/elasticsearch/reference/current/important-settings.html (path.data, path.logs)', '/usr/share/elasticsearch/data', '/usr/share/elasticsearch/logs', '/var/lib/elasticsearch', '/var/log/elasticsearch'),
    spawns: [{ path: '/usr/share/elasticsearch/jdk/bin/java', why: 'the elasticsearch script starts the bundled JVM', reference: 'https://www.elastic.co/guide/en/elasticsearch/reference/current/setup.html (bundled JDK)' }],
  },
  {
    id: 'opensearch',
    name: 'OpenSearch',
    packages: { dpkg: ['opensearch'], rpm: ['opensearch'] },
    executables: ['/usr/share/opensearch/bin/opensearch'],
    images: ['opensearch'],
    listen: [tcp(9200, OPENSEARCH, 'http'), tcp(9300, OPENSEARCH, 'transport')],
    writes: writes(OPENSEARCH, '/usr/share/opensearch/data', '/usr/share/opensearch/logs'),
    spawns: [{ path: '/usr/share/opensearch/jdk/bin/java', why: 'the opensearch script starts the bundled JVM', reference: OPENSEARCH }],
  },
  {
    id: 'zookeeper',
    name: 'ZooKeeper',
    packages: { dpkg: ['zookeeperd', 'zookeeper'] },
    executables: ['/usr/share/zookeeper/bin/zkServer.sh', '/apache-zookeeper/bin/zkServer.sh'],
    images: ['zookeeper', 'cp-zookeeper'],
    listen: [tcp(2181, 'https://zookeeper.apache.org/doc/current/zookeeperStarted.html (clientPort=2181)', 'client')],
    writes: writes('official zookeeper image: ZOO_DATA_DIR=/data, ZOO_DATA_LOG_DIR=/datalog; Debian dataDir /var/lib/zookeeper', '/data', '/datalog', '/var/lib/zookeeper'),
    spawns: [],
  },
  {
    id: 'kafka',
    name: 'Apache Kafka',
    packages: {},
    executables: ['/opt/kafka/bin/kafka-server-start.sh', '/usr/bin/kafka-server-start'],
    images: ['kafka', 'cp-kafka', 'cp-server'],
    listen: [tcp(9092, 'https://kafka.apache.org/documentation/#brokerconfigs_listeners (PLAINTEXT://:9092)', 'kafka')],
    writes: writes('https://kafka.apache.org/documentation/#brokerconfigs_log.dirs (/tmp/kafka-logs by default)', '/tmp/kafka-logs', '/var/lib/kafka/data'),
    spawns: [],
  },
  {
    id: 'etcd',
    name: 'etcd',
    packages: { dpkg: ['etcd-server', 'etcd'], apk: ['etcd'] },
    executables: ['/usr/bin/etcd', '/usr/local/bin/etcd'],
    images: ['etcd'],
    listen: [tcp(2379, ETCD, 'client'), tcp(2380, ETCD, 'peer')],
    writes: writes('Debian etcd-server: ETCD_DATA_DIR=/var/lib/etcd', '/var/lib/etcd'),
    spawns: [],
  },
  {
    id: 'consul',
    name: 'Consul',
    packages: { dpkg: ['consul'], apk: ['consul'], rpm: ['consul'] },
    executables: ['/bin/consul', '/usr/bin/consul'],
    images: ['consul'],
    listen: [tcp(8500, CONSUL, 'http'), tcp(8300, CONSUL, 'server'), tcp(8301, CONSUL, 'serf-lan'), udp(8301, CONSUL, 'serf-lan'), tcp(8600, CONSUL, 'dns'), udp(8600, CONSUL, 'dns')],
    writes: writes('official consul image: /consul/data', '/consul/data'),
    spawns: [],
  },
  {
    id: 'minio',
    name: 'MinIO',
    packages: {},
    executables: ['/usr/bin/minio', '/opt/bin/minio'],
    images: ['minio'],
    listen: [tcp(9000, 'https://min.io/docs/minio/linux/reference/minio-server/minio-server.html (--address :9000)', 's3')],
    writes: [],
    spawns: [],
  },
  {
    id: 'influxdb',
    name: 'InfluxDB',
    packages: { dpkg: ['influxdb', 'influxdb2'], rpm: ['influxdb', 'influxdb2'] },
    executables: ['/usr/bin/influxd'],
    images: ['influxdb'],
    listen: [tcp(8086, 'https://docs.influxdata.com/influxdb/v2/reference/config-options/#http-bind-address (:8086)', 'http')],
    writes: writes('official influxdb image: /var/lib/influxdb2; InfluxDB 1.x packages: /var/lib/influxdb', '/var/lib/influxdb2', '/var/lib/influxdb'),
    spawns: [],
  },
  {
    id: 'caddy',
    name: 'Caddy',
    packages: { dpkg: ['caddy'], apk: ['caddy'], rpm: ['caddy'] },
    executables: ['/usr/bin/caddy'],
    images: ['caddy'],
    listen: [
      tcp(80, 'official caddy image: /etc/caddy/Caddyfile serves :80', 'http'),
      tcp(2019, 'https://caddyserver.com/docs/caddyfile/options#admin (admin endpoint localhost:2019)', 'admin'),
    ],
    writes: writes('https://caddyserver.com/docs/conventions#data-directory ($XDG_DATA_HOME/caddy, /data/caddy in the official image)', '/data/caddy', '/config/caddy'),
    spawns: [],
  },
  {
    id: 'traefik',
    name: 'Traefik',
    packages: {},
    executables: ['/usr/local/bin/traefik'],
    images: ['traefik'],
    listen: [tcp(80, 'https://doc.traefik.io/traefik/routing/entrypoints/ (without entryPoints, one named http is created on :80)', 'http')],
    writes: [],
    spawns: [],
  },
  {
    id: 'haproxy',
    name: 'HAProxy',
    packages: { dpkg: ['haproxy'], apk: ['haproxy'], rpm: ['haproxy'] },
    executables: ['/usr/sbin/haproxy', '/usr/local/sbin/haproxy'],
    images: ['haproxy'],
    listen: [],
    writes: writes('Debian haproxy: /etc/haproxy/haproxy.cfg (stats socket /run/haproxy/admin.sock)', '/run/haproxy'),
    spawns: [],
  },
  {
    id: 'envoy',
    name: 'Envoy',
    packages: {},
    executables: ['/usr/local/bin/envoy'],
    images: ['envoy'],
    listen: [
      tcp(10000, 'official envoyproxy/envoy image: /etc/envoy/envoy.yaml (listener on 10000)', 'http'),
      tcp(9901, 'official envoyproxy/envoy image: /etc/envoy/envoy.yaml (admin on 9901)', 'admin'),
    ],
    writes: [],
    spawns: [],
  },
  {
    id: 'coredns',
    name: 'CoreDNS',
    packages: {},
    executables: ['/coredns'],
    images: ['coredns'],
    listen: [udp(53, 'https://coredns.io/manual/toc/#configuration (default port 53)', 'dns'), tcp(53, 'https://coredns.io/manual/toc/#configuration (default port 53)', 'dns-tcp')],
    writes: [],
    spawns: [],
  },
  {
    id: 'bind9',
    name: 'BIND 9',
    packages: { dpkg: ['bind9'], apk: ['bind'], rpm: ['bind'] },
    executables: ['/usr/sbin/named'],
    images: ['bind9'],
    listen: [udp(53, BIND, 'dns'), tcp(53, BIND, 'dns-tcp'), tcp(953, BIND, 'rndc')],
    writes: writes('Debian bind9: /etc/bind/named.conf.options (directory "/var/cache/bind"), pid file /run/named/named.pid', '/var/cache/bind', '/run/named'),
    spawns: [],
  },
  {
    id: 'dnsmasq',
    name: 'dnsmasq',
    packages: { dpkg: ['dnsmasq', 'dnsmasq-base'], apk: ['dnsmasq'], rpm: ['dnsmasq'] },
    executables: ['/usr/sbin/dnsmasq'],
    images: ['dnsmasq'],
    listen: [udp(53, 'https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html (--port, default 53)', 'dns'), tcp(53, 'https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html (--port, default 53)', 'dns-tcp')],
    writes: writes('https://thekelleys.org.uk/dnsmasq/docs/dnsmasq-man.html (--dhcp-leasefile; Debian /var/lib/misc/dnsmasq.leases)', '/var/lib/misc'),
    spawns: [],
  },
  {
    id: 'postfix',
    name: 'Postfix',
    packages: { dpkg: ['postfix'], apk: ['postfix'], rpm: ['postfix'] },
    executables: ['/usr/sbin/postfix', '/usr/lib/postfix/sbin/master', '/usr/libexec/postfix/master'],
    images: ['postfix'],
    listen: [tcp(25, 'Postfix /etc/postfix/master.cf (smtp inet n - y - - smtpd)', 'smtp')],
    writes: writes('https://www.postfix.org/postconf.5.html#queue_directory (/var/spool/postfix), #data_directory (/var/lib/postfix)', '/var/spool/postfix', '/var/lib/postfix'),
    spawns: ['smtpd', 'pickup', 'qmgr', 'cleanup', 'trivial-rewrite'].map((daemon) => ({
      path: `/usr/lib/postfix/sbin/${daemon}`,
      why: `master runs ${daemon} as master.cf lists it`,
      reference: 'https://www.postfix.org/master.5.html',
    })),
  },
  {
    id: 'openssh-server',
    name: 'OpenSSH server',
    packages: { dpkg: ['openssh-server'], apk: ['openssh-server'], rpm: ['openssh-server'] },
    executables: ['/usr/sbin/sshd'],
    images: [],
    listen: [tcp(22, 'https://man.openbsd.org/sshd_config#Port (default 22)', 'ssh')],
    writes: writes('Debian openssh-server: privilege separation directory /run/sshd', '/run/sshd'),
    spawns: [
      { path: '/usr/sbin/sshd', why: 'sshd re-executes itself for every connection', reference: 'https://man.openbsd.org/sshd#r' },
      { path: '/usr/lib/openssh/sshd-session', why: 'sshd runs each session in sshd-session since OpenSSH 9.8', reference: 'https://www.openssh.com/txt/release-9.8' },
    ],
  },
  {
    id: 'squid',
    name: 'Squid',
    packages: { dpkg: ['squid', 'squid-openssl'], apk: ['squid'], rpm: ['squid'] },
    executables: ['/usr/sbin/squid'],
    images: ['squid'],
    listen: [tcp(3128, 'http://www.squid-cache.org/Doc/config/http_port/ (http_port 3128)', 'proxy')],
    writes: writes('Debian squid: /etc/squid/squid.conf (access_log /var/log/squid/access.log, coredump and cache in /var/spool/squid)', '/var/log/squid', '/var/spool/squid'),
    spawns: [{ path: '/usr/lib/squid/pinger', why: 'squid starts the ICMP pinger helper (pinger_enable on)', reference: 'http://www.squid-cache.org/Doc/config/pinger_enable/' }],
  },
  {
    id: 'php-fpm',
    name: 'PHP-FPM',
    packages: {},
    executables: ['/usr/local/sbin/php-fpm'],
    images: [],
    listen: [tcp(9000, 'official php image (-fpm tags): /usr/local/etc/php-fpm.d/zz-docker.conf (listen = 9000)', 'fastcgi')],
    writes: [],
    spawns: [],
  },
  {
    id: 'tomcat',
    name: 'Apache Tomcat',
    packages: { dpkg: ['tomcat9', 'tomcat10'], rpm: ['tomcat'] },
    executables: ['/usr/local/tomcat/bin/catalina.sh', '/usr/share/tomcat9/bin/catalina.sh', '/usr/share/tomcat10/bin/catalina.sh'],
    images: ['tomcat'],
    listen: [tcp(8080, TOMCAT, 'http'), tcp(8005, TOMCAT, 'shutdown')],
    writes: writes('Tomcat: CATALINA_BASE logs/, work/ and temp/ (official image /usr/local/tomcat; Debian /var/lib/tomcat10, /var/log/tomcat10, /var/cache/tomcat10)',
      '/usr/local/tomcat/logs', '/usr/local/tomcat/work', '/usr/local/tomcat/temp', '/var/log/tomcat10', '/var/cache/tomcat10', '/var/log/tomcat9', '/var/cache/tomcat9'),
    spawns: [],
  },
  {
    id: 'node',
    name: 'Node.js',
    packages: { dpkg: ['nodejs'], apk: ['nodejs', 'nodejs-current'], rpm: ['nodejs'] },
    executables: ['/usr/bin/node', '/usr/local/bin/node'],
    images: ['node'],
    listen: [],
    writes: [],
    spawns: [],
  },
  {
    id: 'python',
    name: 'Python',
    packages: { dpkg: ['python3', 'python3-minimal'], apk: ['python3'], rpm: ['python3'] },
    executables: ['/usr/bin/python3', '/usr/local/bin/python3'],
    images: ['python'],
    listen: [],
    writes: [],
    spawns: [],
  },
  {
    id: 'java',
    name: 'Java runtime',
    packages: { dpkg: [...versions('openjdk-%-jre-headless', 8, 25), ...versions('openjdk-%-jdk-headless', 8, 25)], apk: [...versions('openjdk%-jre-headless', 8, 25), ...versions('openjdk%', 8, 25)], rpm: [...versions('java-%-openjdk-headless', 11, 25)] },
    executables: ['/opt/java/openjdk/bin/java', '/usr/bin/java'],
    images: ['openjdk', 'eclipse-temurin', 'amazoncorretto', 'ibm-semeru-runtimes'],
    listen: [],
    writes: [],
    spawns: [],
  },
  {
    id: 'busybox',
    name: 'BusyBox',
    packages: { dpkg: ['busybox', 'busybox-static'], apk: ['busybox'], rpm: ['busybox'] },
    executables: ['/bin/busybox', '/usr/bin/busybox'],
    images: ['busybox'],
    listen: [],
    writes: [],
    spawns: [],
  },
];
