package io.podnet.datastore.etcd;

/** The contract through jetcd (gRPC). */
class EtcdDatastoreIT extends EtcdContract {
    EtcdDatastoreIT() {
        super(EtcdClient.GRPC);
    }
}
