package io.podnet.datastore.etcd;

/** The contract through etcd's JSON gateway ({@link EtcdHttpDatastore}). */
class EtcdHttpDatastoreIT extends EtcdContract {
    EtcdHttpDatastoreIT() {
        super(EtcdClient.HTTP);
    }
}
