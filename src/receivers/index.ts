export { AcceptPath, type AcceptFilterOptions } from './accept-path.js';
export { ReceiverGroup, type ReceiverGroupOptions, type TcpListenOptions, type TcpReceiver } from './receiver-group.js';
export { UdpReceiver, type UdpListenOptions } from './udp-receiver.js';
export type { StreamDecoder, StreamProtocol } from './stream-decoder.js';
export { listFilters, startReceivers, type NameList, type ReceiverSettings, type StartedReceivers, type StartReceiversOptions } from './from-settings.js';
export { deliver } from './deliver.js';
