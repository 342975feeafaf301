package io.podnet.dataplane;

import io.podnet.rtnetlink.Address;
import io.podnet.rtnetlink.FdbEntry;
import io.podnet.net.MacAddress;
import io.podnet.rtnetlink.Link;
import io.podnet.rtnetlink.LinkAttrs;
import io.podnet.rtnetlink.LinkKind;
import io.podnet.rtnetlink.Neighbor;
import io.podnet.rtnetlink.Route;
import io.podnet.rtnetlink.Rtnetlink;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The real {@link Kernel}: one {@link Rtnetlink} handle, i.e. one network namespace. The handle is borrowed,
 * not owned: closing it is the caller's business.
 */
public final class RtnetlinkKernel implements Kernel {
    private final Rtnetlink h;

    public RtnetlinkKernel(Rtnetlink handle) {
        this.h = Objects.requireNonNull(handle, "handle");
    }

    @Override
    public Optional<Link> getLink(String name) throws IOException { return h.links().get(name); }

    @Override
    public List<Link> listLinks() throws IOException { return h.links().list(); }

    @Override
    public void addLink(LinkAttrs attrs, LinkKind kind) throws IOException { h.links().add(attrs, kind); }

    @Override
    public void deleteLink(String name) throws IOException { h.links().delete(name); }

    @Override
    public void setLinkUp(String name) throws IOException { h.links().setUp(name); }

    @Override
    public void setLinkMtu(String name, int mtu) throws IOException { h.links().setMtu(name, mtu); }

    @Override
    public void setLinkMac(String name, MacAddress mac) throws IOException { h.links().setMac(name, mac); }

    @Override
    public void setLinkMaster(String name, String master) throws IOException { h.links().setMaster(name, master); }

    @Override
    public List<Route> listRoutes(int table) throws IOException { return h.routes().list(table); }

    @Override
    public void replaceRoute(Route route) throws IOException { h.routes().replace(route); }

    @Override
    public void deleteRoute(Route route) throws IOException { h.routes().delete(route); }

    @Override
    public List<Neighbor> listNeighbors(String dev) throws IOException { return h.neighbors().list(dev); }

    @Override
    public void replaceNeighbor(Neighbor neighbor) throws IOException { h.neighbors().replace(neighbor); }

    @Override
    public void deleteNeighbor(Neighbor neighbor) throws IOException { h.neighbors().delete(neighbor); }

    @Override
    public List<FdbEntry> listFdb(String dev) throws IOException { return h.fdb().list(dev); }

    @Override
    public void appendFdb(FdbEntry entry) throws IOException { h.fdb().append(entry); }

    @Override
    public void replaceFdb(FdbEntry entry) throws IOException { h.fdb().replace(entry); }

    @Override
    public void deleteFdb(FdbEntry entry) throws IOException { h.fdb().delete(entry); }

    @Override
    public List<Address> listAddresses(String dev) throws IOException { return h.addresses().list(dev); }

    @Override
    public void replaceAddress(Address address) throws IOException { h.addresses().replace(address); }

    @Override
    public void deleteAddress(Address address) throws IOException { h.addresses().delete(address); }

    @Override
    public String toString() { return "RtnetlinkKernel[" + h.namespace() + "]"; }
}
