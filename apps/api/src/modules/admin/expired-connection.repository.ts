import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { SocketConnection } from '../socket-connection/socket-connection.entity.js';

/** The sweeper's one query on socket_connections (kept here so the sweeper does not reach into another module's repository). */
@Injectable()
export class ExpiredConnectionRepository {
  constructor(@InjectRepository(SocketConnection) private readonly connections: Repository<SocketConnection>) {}

  async deleteCreatedBefore(before: Date): Promise<number> {
    const result = await this.connections.delete({ createdAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
