package org.bpsockets.metrics.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;

/**
 * The meters as one read-only JMX MBean: one attribute per meter, named as the meter and its tags
 * (e.g. {@code bp.node.bundles.ended|end=delivered}), read from a fresh snapshot.
 */
final class NodeMBean implements DynamicMBean {
    private final MetricsEndpoint endpoint;

    NodeMBean(MetricsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    private Map<String, Double> snapshot() {
        return new TreeMap<>(endpoint.meters().values());
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Double v = snapshot().get(attribute);
        if (v == null) {
            throw new AttributeNotFoundException(attribute + " is not a meter of this node now");
        }
        return v;
    }

    @Override
    public void setAttribute(Attribute attribute) {
        throw new UnsupportedOperationException("the node's counters are read-only");
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        Map<String, Double> s = snapshot();
        AttributeList list = new AttributeList();
        for (String a : attributes) {
            if (s.containsKey(a)) {
                list.add(new Attribute(a, s.get(a)));
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        for (String name : snapshot().keySet()) {
            attributes.add(new MBeanAttributeInfo(name, Double.class.getName(), name, true, false, false));
        }
        return new MBeanInfo(NodeMBean.class.getName(), "BP Sockets node counters (the Prometheus meters)",
                attributes.toArray(new MBeanAttributeInfo[0]), null, null, null);
    }
}
