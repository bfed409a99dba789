/**
 * The API's database: Aurora MySQL 3 (MySQL 8 compatible) Serverless v2, in isolated subnets, reachable
 * only from the API's security group. Its credentials are generated into a Secrets Manager secret
 * ({username, password, host, port, dbname}) that the API's tasks read as ECS secrets.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type ISecurityGroup, type IVpc, SubnetType } from 'aws-cdk-lib/aws-ec2';
import {
  AuroraMysqlEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export const DATABASE_NAME = 'gavel';
export const DATABASE_USER = 'gavel';
/**
 * Every character that would need escaping in `mysql://user:password@host` or in a shell word: the
 * generated password is letters and digits only (30 of them), so the container can build
 * DATABASE_URL from the secret's fields without encoding.
 */
export const PASSWORD_EXCLUDED_CHARACTERS = ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

export interface GavelDatabaseProps {
  vpc: IVpc;
  /** Aurora capacity units: 0.5 ACU ≈ 1 GiB of memory. */
  minCapacity: number;
  maxCapacity: number;
}

export class GavelDatabase extends Construct {
  readonly cluster: DatabaseCluster;
  readonly secret: ISecret;

  constructor(scope: Construct, id: string, props: GavelDatabaseProps) {
    super(scope, id);
    this.cluster = new DatabaseCluster(this, 'Cluster', {
      engine: DatabaseClusterEngine.auroraMysql({ version: AuroraMysqlEngineVersion.VER_3_08_0 }),
      credentials: Credentials.fromGeneratedSecret(DATABASE_USER, {
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
      }),
      defaultDatabaseName: DATABASE_NAME,
      writer: ClusterInstance.serverlessV2('Writer'),
      serverlessV2MinCapacity: props.minCapacity,
      serverlessV2MaxCapacity: props.maxCapacity,
      vpc: props.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      backup: { retention: Duration.days(7) },
      deletionProtection: true,
      // Bids and notifications are the product: deleting the stack keeps a final snapshot.
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    this.secret = this.cluster.secret!;
  }

  allowFrom(peer: ISecurityGroup): void {
    this.cluster.connections.allowDefaultPortFrom(peer, 'Gavel API tasks');
  }
}
